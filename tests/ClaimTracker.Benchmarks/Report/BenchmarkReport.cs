using System.Globalization;
using System.Text;
using ClaimTracker.Benchmarks.Measure;

namespace ClaimTracker.Benchmarks.Report;

/// <summary>A target of the issue and whether the largest scale met it.</summary>
public sealed record TargetCheck(string Target, string Measured, bool? Met, string Note = "");

/// <summary>Renders the results as markdown: a table per endpoint and scale, latency growth, and the targets.</summary>
public static class BenchmarkReport
{
    public static string Render(BenchmarkOptions options, IReadOnlyList<ScaleResult> scales, string environment)
    {
        var text = new StringBuilder();
        text.AppendLine("# ClaimTracker benchmark").AppendLine();
        text.AppendLine(Invariant($"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. {environment}"));
        text.AppendLine(Invariant($"Load: {options.Connections} connections, warm-up {options.WarmupSeconds} s discarded, then the median of {options.Repeats} runs of {options.DurationSeconds} s each."));
        text.AppendLine("(a) database floor: the endpoint's SQL as EF Core sent it, replayed with raw Npgsql in a loop; " +
                        "(b) framework floor: a bare minimal ASP.NET Core endpoint running that SQL and writing the same JSON; " +
                        "(c) the API, Release build; (d) best-statement floor (claim by id and the list): the best single statement we can write by hand " +
                        "for the same response, PostgreSQL building its JSON, written as it comes by the bare endpoint (Measure/BestStatements.cs). " +
                        "(b), (c) and (d) are loaded by wrk; `stmts` is the statements each variant sends per request. " +
                        "All three run with " + string.Join(", ", BenchmarkRunner.MeasuredRuntime.Select(s => $"{s.Key}={s.Value}")) +
                        " (steady-state code: see results/tuning.md, T0).").AppendLine();

        foreach (var scale in scales)
        {
            text.AppendLine(Invariant($"## {scale.Claims:N0} claims")).AppendLine();
            if (scale.Generated is { } g)
            {
                var phases = string.Join(", ", g.Phases.Select(p => Invariant($"{p.Phase} {p.Elapsed.TotalSeconds:F1} s")));
                text.AppendLine(Invariant($"Generated {g.Claims:N0} claims, {g.Appearances:N0} appearances, {g.StatusChanges:N0} status changes, {g.Entities:N0} entities, {g.Sources:N0} sources in **{g.Elapsed.TotalSeconds:F0} s** ({g.DatabaseBytes / (1 << 20):N0} MiB): {phases}."))
                    .AppendLine();
            }
            text.AppendLine("| endpoint | variant | stmts | req/s | p50 ms | p99 ms | max ms | errors | c/b | c/d | b/a | API peak RSS |");
            text.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var e in scale.Endpoints)
            {
                if ((e.Failure ?? e.Endpoint.Pending) is { } why)
                {
                    text.AppendLine($"| {e.Endpoint.Title} | — | | {why.Replace("|", "\\|")} | | | | | | | | |");
                    continue;
                }
                var cb = Ratio(e.Api, e.Framework);
                var rssText = e.ApiPeakRssMiB is { } peak ? Invariant($"{peak:F0} MiB") : "n/a";
                if (e.Endpoint.Kind == EndpointKind.Create)
                {
                    text.AppendLine(Row(e.Endpoint.Title, "(b) API, guard off", "", e.Framework, "", "", "", ""));
                    text.AppendLine(Row("", "(c) API, guard on", "", e.Api, cb, "", "", rssText));
                    continue;
                }
                if (e.Endpoint.Kind == EndpointKind.StatusWebhooks)
                {
                    text.AppendLine(Row(e.Endpoint.Title, "(b) API, no subscription", "", e.Framework, "", "", "", ""));
                    text.AppendLine(Row("", Invariant($"(c) API, {WebhookLoad.Subscriptions} subscriptions"), "", e.Api, cb, "", "", rssText));
                    continue;
                }
                var ba = Ratio(e.Framework, e.Database);
                var statements = e.Statements is { } n ? Invariant($"{n}") : "";
                text.AppendLine(Row(e.Endpoint.Title, "(a) database", statements, e.Database, "", "", "", ""));
                text.AppendLine(Row("", "(b) framework", statements, e.Framework, "", "", ba, ""));
                if (e.Best is not null) text.AppendLine(Row("", "(d) best statement", "1", e.Best, "", "", "", ""));
                text.AppendLine(Row("", "(c) API", statements, e.Api, cb, Ratio(e.Api, e.Best), "", e.ApiPeakRssMiB is { } rss ? Invariant($"{rss:F0} MiB") : "n/a"));
            }
            text.AppendLine();
            foreach (var lag in scale.Endpoints.Select(e => e.Lag).OfType<WebhookLag>())
            {
                var from = lag.FromCommit ? "status change's commit" : "status change's time, before its commit";
                text.AppendLine(Invariant($"Webhook outbox lag ({from} → first attempt), {lag.Changes:N0} status changes paced at {lag.RatePerSecond:F0}/s with {WebhookLoad.Subscriptions} subscriptions: ") +
                    Invariant($"p50 {lag.P50Ms:F0} ms, p99 {lag.P99Ms:F0} ms, max {lag.MaxMs:F0} ms; {lag.Delivered:N0} of {lag.Deliveries:N0} deliveries delivered. ") +
                    (lag.Updates is { } updates
                        ? Invariant($"The paced status updates themselves: p50 {updates.P50Ms:F0} ms, p99 {updates.P99Ms:F0} ms, {updates.Errors} errors. ")
                        : "") +
                    (lag.BacklogDrainSeconds is { } drain
                        ? Invariant($"The deliveries queued by the full-speed runs drained {drain:F1} s after the last one.")
                        : "The deliveries queued by the full-speed runs had not drained after 10 minutes.")).AppendLine();
            }
        }

        if (scales.Count > 1)
        {
            var small = scales[0];
            var large = scales[^1];
            text.AppendLine(Invariant($"## Latency growth, {small.Claims:N0} → {large.Claims:N0} claims (API)")).AppendLine();
            text.AppendLine(Invariant($"| endpoint | p50 ms at {small.Claims:N0} | p50 ms at {large.Claims:N0} | growth | p99 ms at {small.Claims:N0} | p99 ms at {large.Claims:N0} | growth |"));
            text.AppendLine("|---|--:|--:|--:|--:|--:|--:|");
            foreach (var e in large.Endpoints.Where(e => e.Api is { Requests: > 0 }))
            {
                var s = small.Endpoints.FirstOrDefault(x => x.Endpoint.Name == e.Endpoint.Name)?.Api;
                if (s is not { Requests: > 0 }) continue;
                text.AppendLine(Invariant($"| {e.Endpoint.Name} | {s.P50Ms:F2} | {e.Api!.P50Ms:F2} | ×{e.Api.P50Ms / s.P50Ms:F2} | {s.P99Ms:F2} | {e.Api.P99Ms:F2} | ×{e.Api.P99Ms / s.P99Ms:F2} |"));
            }
            text.AppendLine();
        }

        if (scales.Count > 0)
        {
            var checks = Targets(scales[^1]);
            text.AppendLine(Invariant($"## Targets ({scales[^1].Claims:N0} claims)")).AppendLine();
            text.AppendLine("| target | measured | met |");
            text.AppendLine("|---|---|---|");
            foreach (var c in checks)
            {
                text.AppendLine($"| {c.Target} | {c.Measured} | {(c.Met switch { true => "met", false => "**not met**", null => "pending" })}{(c.Note.Length > 0 ? $" — {c.Note}" : "")} |");
            }
            text.AppendLine();
            text.AppendLine("<details><summary>The SQL each endpoint ran (captured from EF Core; the floors replay it)</summary>").AppendLine();
            text.AppendLine(scales[^1].CapturedSql);
            text.AppendLine("</details>").AppendLine();
            if (scales[^1].BestSql.Length > 0)
            {
                text.AppendLine("<details><summary>The SQL of (d), the best statement (hand-written: Measure/BestStatements.cs)</summary>").AppendLine();
                text.AppendLine(scales[^1].BestSql);
                text.AppendLine("</details>");
            }
        }
        return text.ToString();
    }

    public static IReadOnlyList<TargetCheck> Targets(ScaleResult scale)
    {
        EndpointResult? Get(string name) => scale.Endpoints.FirstOrDefault(e => e.Endpoint.Name == name && e.Api is not null);
        var checks = new List<TargetCheck>();
        void RatioTarget(string name, string label, double minimum)
        {
            if (Get(name) is not { Framework: { } b, Api: { } c }) { checks.Add(new TargetCheck(label, "not measured", null)); return; }
            var ratio = c.RequestsPerSecond / b.RequestsPerSecond;
            checks.Add(new TargetCheck(label, Invariant($"{ratio:P0} ({c.RequestsPerSecond:F0} vs {b.RequestsPerSecond:F0} req/s)"), ratio >= minimum));
        }
        void BestTarget(string name, string label, double minimum)
        {
            if (Get(name) is not { Best: { } d, Api: { } c, Statements: { } n }) { checks.Add(new TargetCheck(label, "not measured", null)); return; }
            var ratio = c.RequestsPerSecond / d.RequestsPerSecond;
            checks.Add(new TargetCheck(label, Invariant($"{ratio:P0} ({c.RequestsPerSecond:F0} vs {d.RequestsPerSecond:F0} req/s); the API sends {n} statement{(n == 1 ? "" : "s")}"), ratio >= minimum));
        }
        BestTarget("claim-by-id", "GET by id ≥ 80% of its best-statement floor (d)", 0.80);
        BestTarget("list-first", "list (first page) ≥ 85% of its best-statement floor (d)", 0.85);
        BestTarget("list-deep", "list (deep page) ≥ 85% of its best-statement floor (d)", 0.85);
        RatioTarget("claim-by-id", "GET by id ≥ 85% of its framework floor", 0.85);
        RatioTarget("list-first", "list (first page) ≥ 85% of its framework floor", 0.85);
        RatioTarget("list-deep", "list (deep page) ≥ 85% of its framework floor", 0.85);
        RatioTarget("status-update", "status update ≥ 75% of its framework floor", 0.75);
        if (Get("list-first")?.Api is { } first && Get("list-deep")?.Api is { } deep)
        {
            checks.Add(new TargetCheck("deep keyset page within 1.5× of the first page (API p50)",
                Invariant($"×{deep.P50Ms / first.P50Ms:F2} (p50 {deep.P50Ms:F2} vs {first.P50Ms:F2} ms; p99 {deep.P99Ms:F2} vs {first.P99Ms:F2} ms)"),
                deep.P50Ms <= 1.5 * first.P50Ms));
        }
        var rare = Get("search-rare")?.Api;
        var searches = scale.Endpoints.Where(e => e.Endpoint.Kind == EndpointKind.Search && e.Endpoint.Pending is null).ToList();
        var failed = searches.FirstOrDefault(e => e.Failure is not null);
        checks.Add(rare is null
            ? new TargetCheck("rare-term search p99 < 50 ms at 8 connections", "not measured", null)
            : new TargetCheck("rare-term search p99 < 50 ms at 8 connections", Invariant($"p99 {rare.P99Ms:F1} ms"), rare.P99Ms < 50));
        checks.Add(failed is not null
            ? new TargetCheck("no search above 400 ms", $"{failed.Endpoint.Name}: {failed.Failure}", false)
            : searches.Count == 0 || searches.Any(e => e.Api is null)
                ? new TargetCheck("no search above 400 ms", "not measured", null)
                : new TargetCheck("no search above 400 ms",
                    string.Join(", ", searches.Select(e => Invariant($"{e.Endpoint.Name} slowest {e.Api!.MaxMs:F0} ms"))),
                    searches.All(e => e.Api!.MaxMs <= 400)));
        var match = Get("match")?.Api;
        const string matchTarget = "match (20 words) p99 < 100 ms at 8 connections";
        checks.Add(match switch
        {
            null => new TargetCheck(matchTarget, "not measured", null),
            // wrk's latencies are those of the requests that completed: none (all past its 5 s timeout) is no 0 ms p99.
            { Requests: 0 } => new TargetCheck(matchTarget, "no request completed within wrk's 5 s timeout", false),
            _ => new TargetCheck(matchTarget, Invariant($"p99 {match.P99Ms:F1} ms ({match.Errors} errors)"), match.P99Ms < 100 && match.Errors == 0),
        });
        const string createTarget = "create with the duplicate guard within 1.3× of a create without it";
        checks.Add(Get("create") is { Framework: { Requests: > 0 } off, Api: { Requests: > 0 } on }
            ? new TargetCheck(createTarget, Invariant(
                  $"×{off.RequestsPerSecond / on.RequestsPerSecond:F2} in req/s ({on.RequestsPerSecond:F0} vs {off.RequestsPerSecond:F0}), ×{on.P50Ms / off.P50Ms:F2} at p50 ({on.P50Ms:F1} vs {off.P50Ms:F1} ms), {on.Errors} errors"),
                  off.RequestsPerSecond <= 1.3 * on.RequestsPerSecond && on.P50Ms <= 1.3 * off.P50Ms && on.Errors == 0)
            : new TargetCheck(createTarget, "not measured", null));
        const string hooksTarget = "status updates with 3 webhook subscriptions ≥ 90% of the rate without";
        // Judged on the median of the b c pairs' ratios: the runs alternate so that each (c) is compared with the (b) just
        // before it, on a machine whose speed drifts between pairs; the ratio of the two medians (shown beside it) may
        // take its (b) and its (c) from different pairs.
        checks.Add(Get("status-webhooks") is { Framework: { Requests: > 0 } none, Api: { Requests: > 0 } hooked, PairRatios: { Count: > 0 } pairs }
            ? new TargetCheck(hooksTarget, Invariant(
                  $"{LoadResult.MedianOf(pairs):P0} (median of the pairs {string.Join(", ", pairs.Select(r => r.ToString("P0", CultureInfo.InvariantCulture)))}; ratio of the medians {hooked.RequestsPerSecond / none.RequestsPerSecond:P0}, {hooked.RequestsPerSecond:F0} vs {none.RequestsPerSecond:F0} req/s), {hooked.Errors} errors"),
                  LoadResult.MedianOf(pairs) >= 0.9 && hooked.Errors == 0)
            : new TargetCheck(hooksTarget, "not measured", null));
        const string lagTarget = "webhook outbox lag p99 < 1 s at 100 status changes/s";
        checks.Add(Get("status-webhooks")?.Lag is { } lag
            ? new TargetCheck(lagTarget, Invariant($"p99 {lag.P99Ms:F0} ms at {lag.RatePerSecond:F0}/s, {lag.Delivered:N0}/{lag.Deliveries:N0} delivered"),
                  lag.P99Ms < 1000 && lag.Delivered == lag.Deliveries && lag.Deliveries > 0)
            : new TargetCheck(lagTarget, "not measured", null));
        var rss = scale.Endpoints.Select(e => e.ApiPeakRssMiB).OfType<double>().DefaultIfEmpty().Max();
        checks.Add(new TargetCheck("API RSS < 300 MB under load", rss > 0 ? Invariant($"peak {rss:F0} MiB") : "not measured",
            rss > 0 ? rss * 1.048576 < 300 : null));
        return checks;
    }

    private static string Row(string title, string variant, string statements, LoadResult? r, string cb, string cd, string ba, string rss) => r switch
    {
        null => $"| {title} | {variant} | {statements} | — | | | | | {cb} | {cd} | {ba} | {rss} |",
        // No request completed in time (wrk's 5 s timeout, Npgsql's 30 s): there are no latencies to show.
        { Requests: 0 } => Invariant($"| {title} | {variant} | {statements} | 0 | none completed | | | {r.Errors} | {cb} | {cd} | {ba} | {rss} |"),
        _ => Invariant($"| {title} | {variant} | {statements} | {r.RequestsPerSecond:F0} | {r.P50Ms:F2} | {r.P99Ms:F2} | {r.MaxMs:F1} | {r.Errors} | {cb} | {cd} | {ba} | {rss} |"),
    };

    private static string Ratio(LoadResult? x, LoadResult? y) =>
        x is null || y is null || y.RequestsPerSecond == 0 || x.Requests == 0 ? "" : Invariant($"{x.RequestsPerSecond / y.RequestsPerSecond:P0}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
