//! The restart-scaling plot: median restart time against N, log-log, one
//! line per target and fan-out mode, min–max as whiskers.
//!
//! plotters draws it on its SVG backend, whose labels are SVG `<text>`
//! elements the viewer renders: no font code and no image encoder in afc.
//! Built only with the `plot` feature.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Report;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// (N, median, min, max) of one series.
type Points = Vec<(f64, f64, f64, f64)>;

const W: u32 = 1000;
const H: u32 = 640;
const COLORS: [RGBColor; 6] = [
    RGBColor(31, 90, 200),
    RGBColor(120, 170, 240),
    RGBColor(200, 40, 40),
    RGBColor(240, 150, 60),
    RGBColor(40, 150, 60),
    RGBColor(130, 200, 120),
];

fn err(e: impl std::fmt::Display) -> String {
    format!("plot: {e}")
}

/// Draws `s` anchored at (x, y) by `h` (left, centre, right), vertically centred.
fn text(area: &Area, s: &str, (x, y): (i32, i32), h: HPos, color: &RGBColor) -> Result<(), String> {
    let style = ("sans-serif", 20)
        .into_font()
        .color(color)
        .pos(Pos::new(h, VPos::Center));
    area.draw(&Text::new(s.to_string(), (x, y), style))
        .map_err(err)
}

/// Decades covering `lo..hi`.
fn decades(lo: f64, hi: f64) -> Vec<f64> {
    let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    (a..=b).map(|e| 10f64.powi(e)).collect()
}

fn label(v: f64, unit: &str) -> String {
    match unit {
        "ms" if v >= 1000.0 => format!("{} s", v / 1000.0),
        "ms" if v < 1.0 => format!("{} ms", v),
        "ms" => format!("{v} ms"),
        _ if v >= 1000.0 => format!("{}k", v / 1000.0),
        _ => format!("{v}"),
    }
}

/// Writes the restart plot of `report` to `path` (SVG).
pub fn plot_restart(report: &Report, path: &Path) -> Result<(), String> {
    let series = restart_series(report);
    if series.is_empty() {
        return Err("plot: no restart figures".to_owned());
    }
    let all = series.iter().flat_map(|(_, p)| p.iter());
    let (mut xlo, mut xhi, mut ylo, mut yhi) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, _, lo, hi) in all {
        (xlo, xhi, ylo, yhi) = (xlo.min(x), xhi.max(x), ylo.min(lo), yhi.max(hi));
    }
    let bounds = Bounds {
        x: (xlo / 1.6, xhi * 1.6),
        y: (ylo / 2.0, yhi * 2.0),
    };
    let root = SVGBackend::new(path, (W, H)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let black = RGBColor(0, 0, 0);
    let title = "Restart with full reuse: request -> new root terminal";
    text(&root, title, (W as i32 / 2, 22), HPos::Center, &black)?;
    let mut chart = ChartBuilder::on(&root)
        .margin_left(110)
        .margin_right(30)
        .margin_top(50)
        .margin_bottom(70)
        .build_cartesian_2d(
            (bounds.x.0..bounds.x.1).log_scale(),
            (bounds.y.0..bounds.y.1).log_scale(),
        )
        .map_err(err)?;
    axes(&root, &mut chart, &bounds)?;
    guides(&root, &mut chart, &bounds, &series)?;
    lines(&root, &mut chart, &series)?;
    root.present().map_err(err)
}

/// The plotted ranges: (low, high) of N and of time.
struct Bounds {
    x: (f64, f64),
    y: (f64, f64),
}

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<LogCoord<f64>, LogCoord<f64>>>;

/// One series per target and fan-out mode, in report order.
fn restart_series(report: &Report) -> Vec<(String, Points)> {
    let mut series: Vec<(String, Points)> = Vec::new();
    for p in &report.restart {
        let Some(s) = &p.restart_ms else { continue };
        let name = format!("{} {}", p.target, p.mode);
        let point = (p.n as f64, s.median, s.min, s.max);
        match series.iter_mut().find(|(n, _)| *n == name) {
            Some((_, pts)) => pts.push(point),
            None => series.push((name, vec![point])),
        }
    }
    series
}

/// Decade grid lines with their labels, the frame and the axis titles.
fn axes(root: &Area, chart: &mut Chart, b: &Bounds) -> Result<(), String> {
    let ((xlo, xhi), (ylo, yhi)) = (b.x, b.y);
    let black = RGBColor(0, 0, 0);
    let grid = RGBColor(225, 225, 225);
    for y in decades(ylo, yhi)
        .into_iter()
        .filter(|y| (ylo..=yhi).contains(y))
    {
        chart
            .draw_series(LineSeries::new([(xlo, y), (xhi, y)], &grid))
            .map_err(err)?;
        let (_, py) = chart.backend_coord(&(xlo, y));
        text(root, &label(y, "ms"), (100, py), HPos::Right, &black)?;
    }
    for x in decades(xlo, xhi)
        .into_iter()
        .filter(|x| (xlo..=xhi).contains(x))
    {
        chart
            .draw_series(LineSeries::new([(x, ylo), (x, yhi)], &grid))
            .map_err(err)?;
        let (px, _) = chart.backend_coord(&(x, ylo));
        text(
            root,
            &label(x, "n"),
            (px, H as i32 - 55),
            HPos::Center,
            &black,
        )?;
    }
    let frame = [(xlo, ylo), (xhi, ylo), (xhi, yhi), (xlo, yhi), (xlo, ylo)];
    chart
        .draw_series(LineSeries::new(frame, &black))
        .map_err(err)?;
    let xt = "N = children in the source run (log)";
    text(
        root,
        xt,
        (W as i32 / 2, H as i32 - 25),
        HPos::Center,
        &black,
    )?;
    text(root, "time (log)", (8, 40), HPos::Left, &black)
}

/// Slope guides through the highest first point: linear and quadratic
/// growth, listed under the series in the legend.
fn guides(
    root: &Area,
    chart: &mut Chart,
    b: &Bounds,
    series: &[(String, Points)],
) -> Result<(), String> {
    let (xhi, yhi) = (b.x.1, b.y.1);
    let anchor = series
        .iter()
        .filter_map(|(_, p)| p.first())
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|p| (p.0, p.1));
    let Some((x0, y0)) = anchor else {
        return Ok(());
    };
    let guide = RGBColor(150, 150, 150);
    let legend_rows = series.len() as i32;
    for (j, k) in [1.0f64, 2.0].into_iter().enumerate() {
        let x1 = xhi.min(x0 * (yhi / y0).powf(1.0 / k));
        let line = [(x0, y0), (x1, y0 * (x1 / x0).powf(k))];
        chart
            .draw_series(LineSeries::new(line, guide.stroke_width(1)))
            .map_err(err)?;
        let ly = 70 + (legend_rows + j as i32) * 24;
        let swatch = Rectangle::new([(130, ly + 6), (158, ly + 8)], guide.filled());
        root.draw(&swatch).map_err(err)?;
        let name = if k == 1.0 {
            "slope 1: time ~ N"
        } else {
            "slope 2: time ~ N^2"
        };
        text(root, name, (168, ly + 7), HPos::Left, &guide)?;
    }
    Ok(())
}

/// Each series: its line, points, min–max whiskers and legend row.
fn lines(root: &Area, chart: &mut Chart, series: &[(String, Points)]) -> Result<(), String> {
    let black = RGBColor(0, 0, 0);
    for (i, (name, pts)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let line = pts.iter().map(|p| (p.0, p.1));
        chart
            .draw_series(LineSeries::new(line, color.stroke_width(3)))
            .map_err(err)?;
        chart
            .draw_series(
                pts.iter()
                    .map(|p| Circle::new((p.0, p.1), 5, color.filled())),
            )
            .map_err(err)?;
        for p in pts {
            let whisker = [(p.0, p.2), (p.0, p.3)];
            chart
                .draw_series(LineSeries::new(whisker, color.stroke_width(2)))
                .map_err(err)?;
        }
        // Legend, top-left inside the frame.
        let (lx, ly) = (130, 70 + i as i32 * 24);
        let swatch = Rectangle::new([(lx, ly + 4), (lx + 28, ly + 10)], color.filled());
        root.draw(&swatch).map_err(err)?;
        text(root, name, (lx + 38, ly + 7), HPos::Left, &black)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decades_and_labels() {
        assert_eq!(decades(50.0, 2000.0), vec![10.0, 100.0, 1000.0, 10000.0]);
        assert_eq!(label(1000.0, "ms"), "1 s");
        assert_eq!(label(0.1, "ms"), "0.1 ms");
        assert_eq!(label(10000.0, "n"), "10k");
        assert_eq!(label(100.0, "n"), "100");
    }
}
