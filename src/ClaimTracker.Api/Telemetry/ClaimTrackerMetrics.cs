using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ClaimTracker.Api.Telemetry;

/// <summary>
/// The API's own meter, `ClaimTracker`: what an operator watches beside the framework's HTTP, Kestrel, Npgsql and EF Core
/// meters (docs/decisions/015-telemetry.md). Exported at `/metrics` and, when configured, over OTLP.
/// </summary>
public static class ClaimTrackerMetrics
{
    public const string MeterName = "ClaimTracker";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Status changes committed to the history chain.</summary>
    public static readonly Counter<long> StatusChanges =
        Meter.CreateCounter<long>("claimtracker.status_changes", "{change}", "Status changes committed to the history chain");

    /// <summary>`/changes/stream` connections open on this instance.</summary>
    public static readonly UpDownCounter<long> OpenStreams =
        Meter.CreateUpDownCounter<long>("claimtracker.change_streams.open", "{stream}", "Change streams open on this instance");

    /// <summary>Searches PostgreSQL stopped at `Search:StatementTimeoutMs` (answered 422 search-too-broad).</summary>
    public static readonly Counter<long> SearchTimeouts =
        Meter.CreateCounter<long>("claimtracker.search.timeouts", "{search}", "Searches stopped by the statement timeout");

    private static long _webhookDeliveriesPending;

    /// <summary>Webhook deliveries waiting to be sent or retried (all instances), as the delivery worker last counted them.</summary>
    public static readonly ObservableGauge<long> WebhookDeliveriesPending = Meter.CreateObservableGauge(
        "claimtracker.webhooks.deliveries.pending", () => Volatile.Read(ref _webhookDeliveriesPending), "{delivery}",
        "Webhook deliveries waiting to be sent or retried");

    public static void SetWebhookDeliveriesPending(long count) => Volatile.Write(ref _webhookDeliveriesPending, count);

    private static long _webhookStatusChangesWaiting;

    /// <summary>
    /// Status changes committed but not yet fanned out to webhook deliveries (all instances), as the delivery worker last
    /// counted them: the fan-out takes no more changes than its free send slots carry, so under load the backlog waits
    /// in the chain, not among the pending deliveries. 0 while no subscription wants status changes.
    /// </summary>
    public static readonly ObservableGauge<long> WebhookStatusChangesWaiting = Meter.CreateObservableGauge(
        "claimtracker.webhooks.status_changes.waiting", () => Volatile.Read(ref _webhookStatusChangesWaiting), "{change}",
        "Status changes not yet fanned out to webhook deliveries");

    public static void SetWebhookStatusChangesWaiting(long count) => Volatile.Write(ref _webhookStatusChangesWaiting, count);

    /// <summary>
    /// The outbox lag: from an event's commit (its time, taken in its transaction) to the first attempt to deliver it,
    /// once per delivery. Grows when workers fall behind or were down; the benchmark holds its p99 under 1 s at 100
    /// status changes a second.
    /// </summary>
    public static readonly Histogram<double> WebhookOutboxLag = Meter.CreateHistogram<double>(
        "claimtracker.webhooks.outbox_lag", "s", "From an event's commit to the first attempt to deliver it",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });

    /// <summary>Which database served an API read (counted only when replicas are configured).</summary>
    public enum ReadTarget { Primary, Replica }

    /// <summary>API reads (GET, HEAD) by the database that served them, when `ConnectionStrings:ClaimTrackerReplica` is set.</summary>
    public static readonly Counter<long> Reads =
        Meter.CreateCounter<long>("claimtracker.reads", "{request}", "API reads by the database that served them: replica or primary");

    private static readonly KeyValuePair<string, object?> ServedByPrimary = new("database", "primary");
    private static readonly KeyValuePair<string, object?> ServedByReplica = new("database", "replica");

    public static void CountRead(ReadTarget target) => Reads.Add(1, target == ReadTarget.Replica ? ServedByReplica : ServedByPrimary);

    private static readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<double>>>> ReplicaLagSources = new();

    /// <summary>Each usable replica's lag behind the primary, as the replica monitor last measured it (docs/decisions/017).</summary>
    public static readonly ObservableGauge<double> ReplicaLag = Meter.CreateObservableGauge(
        "claimtracker.replica.lag", () => ReplicaLagSources.Values.SelectMany(measure => measure()), "s",
        "How far each usable replica is behind the primary, labelled by its pool's name");

    /// <summary>Reports replica lags until the returned registration is disposed (one monitor per host; tests run several).</summary>
    public static IDisposable ObserveReplicaLag(Func<IEnumerable<Measurement<double>>> measure)
    {
        var key = new object();
        ReplicaLagSources[key] = measure;
        return new Registration(() => ReplicaLagSources.TryRemove(key, out _));
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }

    /// <summary>Requests refused by the rate limiter (429).</summary>
    public static readonly Counter<long> RateLimitRejections =
        Meter.CreateCounter<long>("claimtracker.rate_limit.rejections", "{request}", "Requests refused by the rate limiter");
}
