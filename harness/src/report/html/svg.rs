//! One scenario's runs as inline SVG: a box per run, stacked in the order the
//! scenario made them, each holding its DAG (layout.rs); a reused execution
//! has a dashed border and names its source; an arrow in the left gutter runs
//! from each run's source run to the run it restarted or forked. Every piece
//! of scenario data goes through [`esc`]; the classes are fixed words, so a
//! stylesheet and a DOM check can count runs and reused nodes.

use std::fmt::Write as _;

use super::esc;
use super::layout::{layout, Layout, NODE_H, NODE_W};
use super::model::{Exec, Run};
use crate::report::clip;

/// Executions drawn per run; a larger run says how many were left out, so
/// that a page of the whole suite stays small.
pub(super) const MAX_NODES: usize = 200;
const PAD: f64 = 12.0;
const HEADER: f64 = 30.0;
const RUN_GAP: f64 = 18.0;
const NOTE: f64 = 18.0;
const MIN_W: f64 = 520.0;
/// Width of one character of a run's title (12px monospace).
const CHAR_W: f64 = 7.3;
const MAX_TITLE_W: f64 = 1100.0;

/// A fixed class for a status: `succeeded`, `failed` or `other`.
fn status_class(status: &str) -> &'static str {
    match status {
        "succeeded" => "succeeded",
        "failed" | "timeout" | "cancelled" => "failed",
        _ => "other",
    }
}

/// A fixed class for a lineage kind.
fn kind_class(kind: &str) -> &'static str {
    match kind {
        "restart" => "restart",
        "fork" => "fork",
        _ => "other",
    }
}

struct Box_<'a> {
    run: &'a Run,
    drawn: &'a [Exec],
    layout: Layout,
    top: f64,
    height: f64,
}

/// Writes the SVG of `runs`; `id` makes its marker's id unique in the page.
pub(super) fn runs_svg(out: &mut String, id: usize, runs: &[Run]) {
    let mut top = 0.0;
    let boxes: Vec<Box_> = runs
        .iter()
        .map(|run| {
            let drawn = &run.execs[..run.execs.len().min(MAX_NODES)];
            let layout = layout(drawn);
            let note = if drawn.len() < run.execs.len() {
                NOTE
            } else {
                0.0
            };
            let height = HEADER + PAD + layout.height + PAD + note;
            let b = Box_ {
                run,
                drawn,
                layout,
                top,
                height,
            };
            top += height + RUN_GAP;
            b
        })
        .collect();
    let arcs: Vec<(usize, usize, &str)> = boxes
        .iter()
        .enumerate()
        .filter_map(|(to, b)| {
            let l = b.run.lineage.as_ref()?;
            let from = runs.iter().position(|r| r.alias == l.source_run)?;
            Some((from, to, kind_class(&l.kind)))
        })
        .collect();
    let gutter = 16.0 + 16.0 * arcs.len() as f64;
    // Wide enough for every DAG and every title (up to a point: a longer
    // title is cut, and whole in its tooltip).
    let box_w = boxes
        .iter()
        .map(|b| {
            let title = (title(b.run).chars().count() as f64 * CHAR_W).min(MAX_TITLE_W);
            b.layout.width.max(title) + 2.0 * PAD
        })
        .fold(MIN_W, f64::max);
    let (width, height) = (gutter + box_w + 2.0, (top - RUN_GAP).max(0.0) + 2.0);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="runs" data-runs="{}" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img"><title>{} runs</title>"#,
        runs.len(),
        runs.len()
    );
    let _ = write!(
        out,
        r#"<defs><marker id="arrow-{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>"#
    );
    for b in &boxes {
        run_box(out, b, gutter, box_w);
    }
    // Each arc leaves its source's header high and enters its run's header
    // low, one lane further left per arc, so arcs sharing a run stay apart.
    for (k, (from, to, kind)) in arcs.iter().enumerate() {
        let off = 12.0 + 16.0 * k as f64;
        let (y1, y2) = (boxes[*from].top + 10.0, boxes[*to].top + 22.0);
        let x = gutter - 1.0;
        let _ = write!(
            out,
            r#"<path class="lineage {kind}" d="M{x:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x:.1},{y2:.1}" marker-end="url(#arrow-{id})"><title>{} is a {kind} of {}</title></path>"#,
            x - off,
            x - off,
            esc(&boxes[*to].run.alias),
            esc(&boxes[*from].run.alias),
        );
        let (lx, ly) = (x - 0.75 * off - 3.0, (y1 + y2) / 2.0);
        let _ = write!(
            out,
            r#"<text class="arc-label" x="{lx:.1}" y="{ly:.1}" text-anchor="middle" transform="rotate(-90 {lx:.1} {ly:.1})">{kind}</text>"#
        );
    }
    out.push_str("</svg>");
}

fn run_box(out: &mut String, b: &Box_, gutter: f64, box_w: f64) {
    let run = b.run;
    let _ = write!(
        out,
        r#"<g class="run {}" data-run="{}" transform="translate({gutter:.1},{:.1})"><rect class="run-box" width="{box_w:.1}" height="{:.1}" rx="8"/>"#,
        status_class(&run.status),
        esc(&run.alias),
        b.top,
        b.height
    );
    let title = title(run);
    let chars = ((box_w - 2.0 * PAD) / CHAR_W) as usize;
    let _ = write!(
        out,
        r#"<text class="run-title" x="{PAD}" y="20">{}<title>{}</title></text>"#,
        esc(&clip(&title, chars)),
        esc(&title)
    );
    let at = |i: usize| {
        let p = b.layout.places[i];
        (PAD + p.x, HEADER + PAD + p.y)
    };
    for (i, e) in b.drawn.iter().enumerate() {
        let Some(p) = e
            .parent
            .as_deref()
            .and_then(|p| b.drawn.iter().position(|x| x.alias == p))
            .filter(|&p| p != i)
        else {
            continue;
        };
        let ((px, py), (cx, cy)) = (at(p), at(i));
        let (x1, y1, x2, y2) = (px + NODE_W / 2.0, py + NODE_H, cx + NODE_W / 2.0, cy);
        let mid = (y1 + y2) / 2.0;
        let _ = write!(
            out,
            r#"<path class="edge" d="M{x1:.1},{y1:.1} C{x1:.1},{mid:.1} {x2:.1},{mid:.1} {x2:.1},{y2:.1}"/>"#
        );
    }
    for (i, e) in b.drawn.iter().enumerate() {
        let (x, y) = at(i);
        node(out, e, x, y);
    }
    if b.drawn.len() < run.execs.len() {
        let _ = write!(
            out,
            r#"<text class="note" x="{PAD}" y="{:.1}">{} more executions not drawn</text>"#,
            b.height - 6.0,
            run.execs.len() - b.drawn.len()
        );
    }
    out.push_str("</g>");
}

/// `run2 · succeeded · restart of run1 from run1/research.synth · succeeded-before · workflow`.
fn title(run: &Run) -> String {
    let mut title = format!("{} · {}", run.alias, run.status);
    if let Some(l) = &run.lineage {
        let _ = write!(title, " · {} of {}", l.kind, l.source_run);
        if !l.detail.is_empty() {
            let _ = write!(title, " from {}", l.detail);
        }
    }
    title
}

fn node(out: &mut String, e: &Exec, x: f64, y: f64) {
    let reused = e.reused_from.is_some();
    let _ = write!(
        out,
        r#"<g class="node {}{}{}" data-exec="{}""#,
        status_class(&e.status),
        if reused { " reused" } else { "" },
        if e.differs { " differs" } else { "" },
        esc(&e.alias)
    );
    if let Some(src) = &e.reused_from {
        let _ = write!(out, r#" data-reused-from="{}""#, esc(src));
    }
    let mut title = format!("{}\nstatus: {}", e.alias, e.status);
    if let Some(src) = &e.reused_from {
        let _ = write!(title, "\nreused from {src}");
    }
    if let Some(error) = &e.error {
        let _ = write!(title, "\nerror: {error}");
    }
    if e.differs {
        title.push_str("\ndiffers from the golden");
    }
    let _ = write!(
        out,
        r#" transform="translate({x:.1},{y:.1})"><title>{}</title><rect width="{NODE_W}" height="{NODE_H}" rx="6"/><text class="label" x="8" y="17">{}</text><text class="status" x="8" y="32">{}</text>"#,
        esc(&title),
        esc(&clip(&e.label, 30)),
        esc(&clip(&e.status, 34)),
    );
    if let Some(src) = &e.reused_from {
        let _ = write!(
            out,
            r#"<text class="reuse" x="8" y="47">{}</text>"#,
            esc(&clip(&format!("reused from {src}"), 36))
        );
    } else if let Some(error) = &e.error {
        let _ = write!(
            out,
            r#"<text class="error" x="8" y="47">{}</text>"#,
            esc(&clip(error, 36))
        );
    }
    if e.differs {
        let _ = write!(
            out,
            r#"<text class="differs-mark" x="{:.0}" y="15">≠</text>"#,
            NODE_W - 16.0
        );
    }
    out.push_str("</g>");
}
