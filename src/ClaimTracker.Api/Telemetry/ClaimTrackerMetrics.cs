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

    /// <summary>Which database served an API read (counted only when replicas are configured).</summary>
    public enum ReadTarget { Primary, Replica }

    /// <summary>API reads (GET, HEAD) by the database that served them, when `ConnectionStrings:ClaimTrackerReplica` is set.</summary>
    public static readonly Counter<long> Reads =
        Meter.CreateCounter<long>("claimtracker.reads", "{request}", "API reads by the database that served them: replica or primary");

    private static readonly KeyValuePair<string, object?> ServedByPrimary = new("database", "primary");
    private static readonly KeyValuePair<string, object?> ServedByReplica = new("database", "replica");

    public static void CountRead(ReadTarget target) => Reads.Add(1, target == ReadTarget.Replica ? ServedByReplica : ServedByPrimary);

    /// <summary>Requests refused by the rate limiter (429).</summary>
    public static readonly Counter<long> RateLimitRejections =
        Meter.CreateCounter<long>("claimtracker.rate_limit.rejections", "{request}", "Requests refused by the rate limiter");
}
