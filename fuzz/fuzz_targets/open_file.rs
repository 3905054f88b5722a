//! Arbitrary bytes as a database file: opening never panics, and a refused file is left untouched.
#![no_main]

use claimtrack::Store;
use claimtrack::io::bundle;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("claimtrack-fuzz-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fuzz.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    std::fs::write(&path, data).unwrap();
    match Store::open(&path) {
        Err(_) => assert_eq!(std::fs::read(&path).unwrap(), data),
        Ok(store) => {
            let _ = store.integrity_problems();
            let _ = bundle::export(&store);
        }
    }
});
