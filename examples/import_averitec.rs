//! Loads AVeriTeC claims (with their question-and-answer evidence) into claimtrack through the public
//! importer and prints what landed.
//!
//! ```text
//! cargo run --release --example import_averitec -- ../shared/data/averitec/dev_first250.json            # in memory
//! cargo run --release --example import_averitec -- ../shared/data/averitec/dev_first250.json desk.db    # into a database file
//! ```

#[path = "support/dataset.rs"]
mod dataset;

fn main() {
    dataset::main(claimtrack::io::DataSet::Averitec);
}
