//! Data-set rows imported before. Each data-set importer tags the claim of a row with the row's id in
//! its data set (`liar:2635`, `fever:75397`, `climate-fever:0`, `averitec:12`). Importing a file again,
//! or a file holding a row some other file already brought in, must not make a second claim: the row is
//! recognised by its tag and counted as unchanged, as a bundle's record with a known id is
//! ([`ImportReport::unchanged`](super::ImportReport::unchanged)). A row whose tag is known but whose
//! text or label differs from what was imported is refused with [`Error::Conflict`] naming the stored
//! claim, and the whole import with it (nothing is written): a data set's row is never silently
//! dropped, nor overwritten, nor imported twice.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::ids::ClaimId;
use crate::store::Batch;

/// The rows of one data set known to the store, by tag: those of earlier imports, read once when the
/// import starts, and those this import adds.
pub(crate) struct Imported {
    known: HashMap<String, ClaimId>,
}

impl Imported {
    /// The claims already tagged with `prefix` (`"liar:"`, …).
    pub(crate) fn load(b: &Batch<'_>, prefix: &str) -> Result<Imported> {
        Ok(Imported {
            known: b.claims_tagged_from(prefix)?,
        })
    }

    /// Whether the row tagged `tag` (at `at` in the file: `"line 5"`) is in the store already with `text` and, when the row gives one, a
    /// review labelled `label`: `true` means skip it (count it unchanged). A known row with another text
    /// or without that label is [`Error::Conflict`]. `false`: a new row; call [`added`](Self::added)
    /// once its claim is written.
    pub(crate) fn again(
        &self,
        b: &Batch<'_>,
        at: &str,
        tag: &str,
        text: &str,
        label: Option<&str>,
    ) -> Result<bool> {
        let Some(id) = self.known.get(tag) else {
            return Ok(false);
        };
        let stored = b.claim(*id)?;
        let conflict = |what: String| Error::Conflict {
            kind: "claim",
            id: id.to_string(),
            reason: format!(
                "{at}: the data set's row {tag} was imported before as this claim, {what}; a row is \
                 never imported twice nor overwritten (correct the stored claim, or remove its tag, first)"
            ),
        };
        if stored.text != text {
            return Err(conflict(format!("with the text {:?}", stored.text)));
        }
        if let Some(label) = label
            && !b
                .reviews_of(*id)?
                .iter()
                .any(|r| r.label.as_deref() == Some(label))
        {
            return Err(conflict(format!("without a review labelled {label:?}")));
        }
        Ok(true)
    }

    /// Remembers a row this import wrote, so a second row with its tag in the same file is recognised.
    pub(crate) fn added(&mut self, tag: String, claim: ClaimId) {
        self.known.insert(tag, claim);
    }
}
