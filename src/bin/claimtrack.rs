//! The claimtrack command-line tool (in progress).

fn main() {
    eprintln!("claimtrack: the command-line tool is not built yet");
    std::process::exit(2);
}
