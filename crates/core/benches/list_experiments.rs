//! Lists 10,000 experiments page by page (100 per page, with the total each time), as the UI's
//! experiment list does when scrolled to the end.

use criterion::{criterion_main, Criterion};
use gsv_core::{Engine, EngineConfig, Language, ListQuery, NewExperiment, WorkerCommand};

const EXPERIMENTS: usize = 10_000;
const PAGE: i64 = 100;

fn engine_with_experiments(dir: &std::path::Path) -> Engine {
    let worker = WorkerCommand {
        program: "unused".into(),
        args: Vec::new(),
    };
    let engine = Engine::open(EngineConfig {
        data_dir: dir.to_path_buf(),
        worker,
    })
    .expect("engine opens");
    for index in 0..EXPERIMENTS {
        engine
            .create_experiment(NewExperiment::new(
                format!("experiment {index}"),
                Language::Zh,
            ))
            .expect("experiment created");
    }
    engine
}

fn list_all_pages(engine: &Engine) -> usize {
    let mut seen = 0;
    let mut offset = 0;
    loop {
        let query = ListQuery {
            status: None,
            limit: Some(PAGE),
            offset: Some(offset),
        };
        let page = engine.list_experiments(&query).expect("page listed");
        seen += page.items.len();
        offset += PAGE;
        if offset >= page.total {
            return seen;
        }
    }
}

fn bench_listing(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = engine_with_experiments(dir.path());

    let mut group = c.benchmark_group("list_experiments");
    group.sample_size(10);
    group.bench_function("10k experiments, 100 per page", |b| {
        b.iter(|| assert_eq!(list_all_pages(&engine), EXPERIMENTS))
    });
    group.finish();
}

/// Criterion's generated group function lives here, out of the crate's public surface.
mod group {
    criterion::criterion_group!(benches, super::bench_listing);
}

criterion_main!(group::benches);
