//! Hostile uses of the binary found by the adversarial trial of issues 10 and 11.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_claimtrack");

#[test]
fn a_pipe_or_folder_given_as_the_database_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.db");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.map(|s| s.success()).unwrap_or(false) {
        eprintln!("no mkfifo: skipped");
        return;
    }
    for db in [fifo.as_path(), dir.path()] {
        let mut child = Command::new(BIN)
            .arg("--db")
            .arg(db)
            .arg("stats")
            .env_remove("CLAIMTRACK_DB")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A guard against hanging the suite, not a timing assertion: opening the pipe blocked for ever.
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(50));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            panic!("claimtrack --db {} stats never returned", db.display());
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not a regular file"), "{err}");
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["pipe.db"], "nothing is made beside a pipe");
}
