//! Throughput of `clean_text` on 10,000 mixed transcript lines, half Chinese and half
//! English, on one thread: `cargo bench -p gsv-text --bench clean_text`.

use std::hint::black_box;

use criterion::{criterion_main, Criterion, Throughput};
use gsv_text::{clean_text, Language};

const LINE_COUNT: usize = 10_000;

/// Sentences of the kind a voice dataset holds.
const CHINESE: [&str; 12] = [
    "今天天气很好，我们一起去公园散步吧。",
    "这个项目的预算是25万元，比去年增加了15%。",
    "会议定在2024年3月15日下午3点举行。",
    "小明骑着自行车穿过了热闹的街道。",
    "你知道吗？他昨天一个人看了三部电影！",
    "请拨打客服电话400-800-8888咨询。",
    "长大以后头发长得很长，还要还钱。",
    "我们的东西都放在桌子上了。",
    "一个一个地来，不要着急。",
    "他花了两个小时才把这本书看完。",
    "明天早上8点30分出发，别迟到了。",
    "音乐让人快乐，这首歌特别好听。",
];

const ENGLISH: [&str; 12] = [
    "The quick brown fox jumps over the lazy dog.",
    "I have 3 apples and 25 oranges in my basket.",
    "The meeting is at 10:30 and ends at 13:00.",
    "Dr. Smith lives on Elm St. with Mr. and Mrs. Jones.",
    "It costs $5.50, or about 32 dollars for the whole set.",
    "John's book, the dogs' toys, and James's car.",
    "I read the book yesterday. I will read it again.",
    "This state-of-the-art system is well-known.",
    "Please record the record before the show starts.",
    "Sales rose 50% this year, the best since 1999.",
    "We use ChatGPT and TikTok every day.",
    "Hmm, maybe we should wait until tomorrow?",
];

/// 10,000 lines alternating between the languages, varied so they are not all identical.
fn transcript_lines() -> Vec<(String, Language)> {
    (0..LINE_COUNT)
        .map(|i| {
            let pick = (i / 2) % 12;
            let other = (i / 24) % 12;
            if i % 2 == 0 {
                (format!("{}{}", CHINESE[pick], CHINESE[other]), Language::Zh)
            } else {
                (
                    format!("{} {}", ENGLISH[pick], ENGLISH[other]),
                    Language::En,
                )
            }
        })
        .collect()
}

fn bench_clean_text(c: &mut Criterion) {
    let lines = transcript_lines();
    // Dictionaries and models load once, outside the measurement.
    for (line, language) in lines.iter().take(24) {
        let _ = clean_text(line, *language);
    }

    let mut group = c.benchmark_group("clean_text");
    group.throughput(Throughput::Elements(LINE_COUNT as u64));
    group.sample_size(10);
    group.bench_function("10k_mixed_zh_en_lines", |b| {
        b.iter(|| {
            for (line, language) in &lines {
                let _ = black_box(clean_text(black_box(line), *language));
            }
        })
    });
    group.finish();
}

/// The generated `benches` entry point, which criterion's macro leaves undocumented.
mod group {
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::bench_clean_text);
}

criterion_main!(group::benches);
