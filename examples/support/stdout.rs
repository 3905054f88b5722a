//! `println!` for examples that stops quietly when the reader goes away (`cargo run --example wonsan |
//! head`) and fails with exit code 1 on any other write error, where std's `println!` panics.

/// Writes a line to stdout; on a closed pipe exits 0, on another write error exits 1.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("error: cannot write the output: {e}");
            std::process::exit(1);
        }
    }};
}
