//! A temporary folder of one test, removed when the test ends (shared by the integration tests that
//! write files: `#[path = "common/dir.rs"] mod dir;`). Each test binary uses the subset it needs.
#![allow(dead_code)]

use std::fs;
use std::path::PathBuf;

/// `$TMPDIR/claimtrack-test-TAG-PID`, emptied when made and removed on drop.
pub struct Dir(pub PathBuf);

impl Dir {
    pub fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!("claimtrack-test-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        Dir(p)
    }

    /// `desk.db` in the folder.
    pub fn db(&self) -> PathBuf {
        self.0.join("desk.db")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Every name in the folder, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}
