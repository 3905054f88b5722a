//! Loads the FEVER data set into claimtrack through the public importer and prints what landed.
//!
//! ```text
//! cargo run --release --example import_fever -- ../shared/data/fever/paper_dev.jsonl            # in memory
//! cargo run --release --example import_fever -- ../shared/data/fever/paper_dev.jsonl desk.db    # into a database file
//! ```

#[path = "support/dataset.rs"]
mod dataset;

fn main() {
    dataset::main(claimtrack::io::DataSet::Fever);
}
