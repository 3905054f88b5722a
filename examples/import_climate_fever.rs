//! Loads the Climate-FEVER data set into claimtrack through the public importer and prints what landed.
//!
//! ```text
//! cargo run --release --example import_climate_fever -- ../shared/data/climate-fever/climate_fever.csv            # in memory
//! cargo run --release --example import_climate_fever -- ../shared/data/climate-fever/climate_fever.csv desk.db    # into a database file
//! ```

#[path = "support/dataset.rs"]
mod dataset;

fn main() {
    dataset::main(claimtrack::io::DataSet::ClimateFever);
}
