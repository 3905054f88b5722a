//! Loads the LIAR data set into claimtrack through the public importer and prints what landed.
//!
//! ```text
//! cargo run --release --example import_liar -- ../shared/data/liar/train.tsv            # in memory
//! cargo run --release --example import_liar -- ../shared/data/liar/train.tsv desk.db    # into a database file
//! ```

#[path = "support/dataset.rs"]
mod dataset;

fn main() {
    dataset::main(claimtrack::io::DataSet::Liar);
}
