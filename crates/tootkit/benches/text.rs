//! How long the text rules take: counting a status before posting it (the figure in
//! `docs/benchmarks.md`), finding its entities, cutting a long text into a thread.
//!
//! `cargo bench -p tootkit --bench text`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tootkit::text::{Limits, ThreadOptions, entities, split_thread, status_length};

/// A 500-character post with two links and a remote mention: what a bot posts.
fn post() -> String {
    let text = "Release notes for tootkit 0.2 are out, thanks to @alice@botsin.space for the \
        review! Text rules now follow Mastodon exactly: links count 23 characters whatever \
        their length, the domain of a remote mention is free, and a long text becomes a \
        numbered thread cut at paragraphs, sentences or words, never inside a link. Read \
        https://docs.example.org/tootkit/releases/0.2/text-rules#counting and the guide at \
        https://github.com/tootkit/tootkit/blob/main/docs/threads.md before you upgrade. \
        #rust #mastodon";
    assert_eq!(
        text.chars().count(),
        500,
        "the benchmark post is 500 characters"
    );
    text.to_owned()
}

/// The same, not in ASCII: accents, emoji (one a ZWJ sequence), Hindi and Japanese, so
/// every character goes through the full grapheme rules.
fn post_in_many_scripts() -> String {
    let mut text = String::from(
        "Les notes de version de tootkit 0.2 sont là, merci à @alice@botsin.space 🎉👩‍💻 ! \
         Die Textregeln folgen jetzt genau Mastodon: Links zählen 23 Zeichen. \
         हिन्दी में स्वतंत्रता और राष्ट्रपति भी सही गिने जाते हैं। \
         長い文章は段落、文、単語で区切られたスレッドになります。\
         https://docs.example.org/tootkit/releases/0.2/text-rules#counting と \
         https://github.com/tootkit/tootkit/blob/main/docs/threads.md をご覧ください。 #rust ",
    );
    while text.chars().count() < 500 {
        text.push('é');
    }
    assert_eq!(text.chars().count(), 500);
    text
}

fn counting(c: &mut Criterion) {
    let post = post();
    let limits = Limits::default();
    assert!(status_length(&post, "", limits) < 500);
    c.bench_function("status_length, 500-char post, 2 links + 1 mention", |b| {
        b.iter(|| status_length(black_box(&post), black_box(""), limits))
    });
    c.bench_function("entities, same post", |b| {
        b.iter(|| entities(black_box(&post)).len())
    });
    let scripts = post_in_many_scripts();
    assert!(status_length(&scripts, "", limits) < 500);
    c.bench_function(
        "status_length, 500-char post in many scripts, 2 links + 1 mention",
        |b| b.iter(|| status_length(black_box(&scripts), black_box(""), limits)),
    );
    // The worst shape known for the scanners: one long run of labels with no TLD, which
    // every start position has to look at (linear, not quadratic, in its length).
    for labels in [250, 1000, 4000] {
        let dotted = format!("https://{}", "a.".repeat(labels));
        c.bench_function(
            &format!("status_length, https://a.a.a… ({} chars)", dotted.len()),
            |b| b.iter(|| status_length(black_box(&dotted), "", limits)),
        );
    }
    let long = [post.as_str(); 6].join("\n\n");
    let options = ThreadOptions::new(limits);
    c.bench_function("split_thread, 3,000 characters", |b| {
        b.iter(|| split_thread(black_box(&long), &options).map(|parts| parts.len()))
    });
    let japanese = "長い文章は段落、文、単語で区切られたスレッドになります。".repeat(110);
    c.bench_function("split_thread, 3,000 Japanese characters", |b| {
        b.iter(|| split_thread(black_box(&japanese), &options).map(|parts| parts.len()))
    });
    // The worst shape known for the splitter: a word too long to be a link, whose every
    // prefix long enough is one, so the first part must be cut before `.co` (found by
    // the fuzzer).
    let unlinkable = format!("http://example.com/valid?{}", "#foo?".repeat(900));
    c.bench_function(
        "split_thread, a 4,525-character word that cuts into links",
        |b| b.iter(|| split_thread(black_box(&unlinkable), &options).map(|parts| parts.len())),
    );
    // Links run together: any part holding a whole `https://a.co/` would be a link the
    // text (one word, too long to be a link) does not have, so parts hold a dozen
    // characters and the thread is refused once counting passes `COUNTED_PARTS`.
    let run_together = "https://a.co/".repeat(1_000);
    let mut slow = c.benchmark_group("slow");
    slow.sample_size(10);
    slow.bench_function(
        "split_thread, https://a.co/ 1,000 times without spaces (refused)",
        |b| b.iter(|| split_thread(black_box(&run_together), &options).map(|parts| parts.len())),
    );
    // Dense with entities: every cut is checked against the hashtags around it (it
    // was against all of them, which took seconds here).
    let hashtags = "#a ".repeat(74_000);
    slow.bench_function(
        "split_thread, #a 74,000 times: 222 KB, about 300 parts (refused)",
        |b| b.iter(|| split_thread(black_box(&hashtags), &options).map(|parts| parts.len())),
    );
    slow.finish();
}

criterion_group!(benches, counting);
criterion_main!(benches);
