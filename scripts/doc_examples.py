#!/usr/bin/env python3
"""Counts the public methods of `Store` and the public functions of `io` that have an example (issue 10,
item 6): a Rust code block (a doctest) in their own doc, or a call in an example of their module: for an
io function its module's `//!` example, for a Store method an example in the same source file (the
topic's example, on the topic's first method) or in `Store`'s, the crate's or the README's examples.

    python3 scripts/doc_examples.py [ROOT] [-v]     # -v lists the ones without

Exits 1 when any has none (CI runs it: .ci/run).

Rough by design (a line-based reader of Rust, not a parser); it reads the tree, changes nothing."""
import re, sys, os, glob

root = next((a for a in sys.argv[1:] if not a.startswith('-')), '.')

def code_blocks(doc_lines):
    out, inside = [], False
    for l in doc_lines:
        t = l.strip()
        if t.startswith('```'):
            lang = t[3:].strip()
            if not inside:
                inside = True; rust = lang in ('', 'rust', 'no_run', 'should_panic') or lang.startswith('rust')
            else:
                inside = False
            continue
        if inside and rust:
            out.append(l)
    return '\n'.join(out)

def items(path):
    """yields (kind, name, doc_lines, impl_of) for pub fns; and module doc lines"""
    lines = open(path).read().split('\n')
    mod_doc = [l[3:] for l in lines if l.startswith('//!')]
    res = []
    depth = 0; impl_stack = []  # (name, depth_at_open)
    doc = []
    for l in lines:
        s = l.strip()
        if s.startswith('///'):
            doc.append(s[3:]); continue
        m = re.match(r'(pub(\([^)]*\))?\s+)?(async\s+)?(const\s+)?fn\s+(\w+)', s)
        if m and not s.startswith('//'):
            vis = m.group(1) or ''
            public = vis.strip() == 'pub'
            impl = impl_stack[-1][0] if impl_stack else None
            res.append((public, m.group(5), doc, impl))
        mi = re.match(r'impl(<[^>]*>)?\s+(\w+)(<[^>]*>)?\s*\{', s)
        if mi:
            impl_stack.append((mi.group(2), depth))
        if not s.startswith('#['):
            doc = [] if not s.startswith('#[') else doc
        # braces (rough: ignores braces in strings)
        code = re.sub(r'"([^"\\]|\\.)*"', '""', l)
        code = code.split('//')[0]
        depth += code.count('{') - code.count('}')
        while impl_stack and depth <= impl_stack[-1][1]:
            impl_stack.pop()
    return mod_doc, res

def report(label, entries):
    have = sum(1 for e in entries if e[1])
    print(f'{label}: {have} of {len(entries)} with an example')
    return have, len(entries)

store_fns, io_fns = [], []
lib_doc = code_blocks([l[3:] for l in open(os.path.join(root, 'src/lib.rs')).read().split('\n') if l.startswith('//!')])
readme = code_blocks(open(os.path.join(root, 'README.md')).read().split('\n'))
store_struct_doc = ''
for path in sorted(glob.glob(os.path.join(root, 'src/store/**/*.rs'), recursive=True)):
    text = open(path).read()
    m = re.search(r'((?:\s*///[^\n]*\n)+)\s*(?:#\[[^\n]*\n\s*)*pub struct Store\b', text)
    if m:
        store_struct_doc = code_blocks([l.strip()[3:] for l in m.group(1).split('\n') if l.strip().startswith('///')])
for path in sorted(glob.glob(os.path.join(root, 'src/store/**/*.rs'), recursive=True) + glob.glob(os.path.join(root, 'src/analysis/**/*.rs'), recursive=True)):
    if '/postgres/' in path: continue
    mod_doc, res = items(path)
    topic = '\n'.join(code_blocks(doc) for public, name, doc, impl in res if impl == 'Store')
    for public, name, doc, impl in res:
        if public and impl == 'Store':
            own = bool(code_blocks(doc).strip())
            shown = any(re.search(r'(\.|Store::)' + name + r'\s*[(<:]', t)
                        for t in (store_struct_doc, lib_doc, readme, topic))
            store_fns.append((f'{os.path.relpath(path, root)}::{name}', own or shown, own))
for path in sorted(glob.glob(os.path.join(root, 'src/io/**/*.rs'), recursive=True)):
    mod_doc, res = items(path)
    mod_code = code_blocks(mod_doc)
    modname = os.path.splitext(os.path.basename(path))[0]
    for public, name, doc, impl in res:
        if public and impl is None:
            own = bool(code_blocks(doc).strip())
            shown = bool(re.search(r'(\b' + modname + r'::|\b)' + name + r'\s*[(<:]', mod_code))
            io_fns.append((f'{os.path.relpath(path, root)}::{name}', own or shown, own))
a = report('Store methods', store_fns)
b = report('io functions', io_fns)
print(f'total: {a[0] + b[0]} of {a[1] + b[1]} (own doctest: {sum(1 for e in store_fns + io_fns if e[2])})')
if '-v' in sys.argv:
    for n, ok, own in store_fns + io_fns:
        if not ok: print('  missing:', n)
missing = [n for n, ok, _ in store_fns + io_fns if not ok]
if missing:
    if '-v' not in sys.argv:
        for n in missing: print('  missing:', n)
    sys.exit(1)
