using System.Diagnostics;
using System.Security.Cryptography;
using ClaimTracker.Api.Webhooks;
using ClaimTracker.Benchmarks.Dataset;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ClaimTracker.Benchmarks.Measure;

/// <summary>
/// What webhooks cost a status update and how soon they leave: the outbox lag of a paced run, measured in the database as
/// each delivery's first attempt minus its status change's commit (`pg_xact_commit_timestamp`, on a cluster with
/// `track_commit_timestamp`, as the benchmark's is; elsewhere, as in the smoke, minus the change's `at`, taken before its
/// commit, which overstates the lag by the commit's wait). <see cref="Updates"/> are the status updates' own figures in
/// the same run: when it is large, the machine could not carry the paced rate itself, webhooks or not.
/// </summary>
public sealed record WebhookLag(double RatePerSecond, int Changes, long Deliveries, long Delivered, double P50Ms, double P99Ms, double MaxMs)
{
    /// <summary>Whether the lag was measured from each change's commit (else from its `at`).</summary>
    public bool FromCommit { get; init; }

    /// <summary>The paced status updates themselves: latency from request sent to response read, and errors.</summary>
    public LoadResult? Updates { get; init; }

    /// <summary>How long the deliveries queued by the full-speed runs took to drain afterwards (null: not within the wait).</summary>
    public double? BacklogDrainSeconds { get; init; }
}

/// <summary>
/// The status-webhooks endpoint's parts: a receiver in this process (Kestrel on loopback, 204 at once, as a receiver
/// should answer), the benchmark's subscriptions written straight into the database (<see cref="Subscriptions"/> of them,
/// all to `claim.status_changed`), and a paced load for the lag. The API under test must allow http receivers on loopback
/// (`Webhooks__AllowHttp`, `Webhooks__AllowPrivateNetworks`), which the runner sets; with no subscription they do nothing.
/// </summary>
public sealed class WebhookLoad : IAsyncDisposable
{
    public const int Subscriptions = 3;
    /// <summary>Marks the benchmark's subscriptions, so that cleaning up touches nothing else.</summary>
    public const string Description = "claimtracker-benchmark";

    private readonly WebApplication _receiver;
    private long _received;

    private WebhookLoad(WebApplication receiver) => _receiver = receiver;

    public long Received => Interlocked.Read(ref _received);

    public string Url => _receiver.Urls.First() + "/bench-hooks";

    public static async Task<WebhookLoad> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var load = new WebhookLoad(app);
        app.MapPost("/bench-hooks/{n:int}", (int n) =>
        {
            Interlocked.Increment(ref load._received);
            return Results.NoContent();
        });
        await app.StartAsync(cancellationToken);
        return load;
    }

    /// <summary>Adds the benchmark's subscriptions (enabled, `claim.status_changed`, each its own receiver path).</summary>
    public async Task SubscribeAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = await BenchDatabase.OpenAsync(connectionString, cancellationToken);
        for (var n = 1; n <= Subscriptions; n++)
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO webhook_subscriptions (id, url, events, description, enabled, secret, created_at, updated_at)
                VALUES (gen_random_uuid(), $1, ARRAY['claim.status_changed'], $2, true, $3, now(), now())
                """, connection);
            insert.Parameters.AddWithValue($"{Url}/{n}");
            insert.Parameters.AddWithValue(Description);
            insert.Parameters.AddWithValue("whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Enables or disables the benchmark's subscriptions. Enabled again, they start at the chain's head, as a PATCH that
    /// enables a subscription does: the changes made while they were off are not theirs.
    /// </summary>
    public static async Task SetEnabledAsync(string connectionString, bool enabled, CancellationToken cancellationToken)
    {
        await using var connection = await BenchDatabase.OpenAsync(connectionString, cancellationToken);
        await using var update = new NpgsqlCommand("""
            UPDATE webhook_subscriptions
            SET enabled = $1, updated_at = now(),
                status_changes_after = CASE WHEN $1 AND NOT enabled THEN webhook_status_changes_head() ELSE status_changes_after END
            WHERE description = $2
            """, connection);
        update.Parameters.AddWithValue(enabled);
        update.Parameters.AddWithValue(Description);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Removes the benchmark's subscriptions with their deliveries, and the events they leave behind.</summary>
    public static async Task UnsubscribeAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = await BenchDatabase.OpenAsync(connectionString, cancellationToken);
        await BenchDatabase.Execute(connection, $"""
            DELETE FROM webhook_subscriptions WHERE description = '{Description}';
            DELETE FROM webhook_events e WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id);
            """, cancellationToken);
        await BenchDatabase.Execute(connection, "VACUUM webhook_subscriptions, webhook_events, webhook_deliveries, webhook_attempts", cancellationToken);
    }

    /// <summary>
    /// Waits until no delivery is pending and no status change waits to be fanned out (the API's own count, the
    /// `status_changes.waiting` gauge's), at most <paramref name="patience"/>; returns how long it took, or null.
    /// </summary>
    public static async Task<TimeSpan?> DrainAsync(string connectionString, TimeSpan patience, CancellationToken cancellationToken)
    {
        await using var db = BenchDatabase.CreateDbContext(connectionString);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < patience)
        {
            // The waiting changes first: a pass moves the cursor and writes its deliveries in one transaction, so once
            // nothing waits, every delivery is written and a later count sees it. Counted the other way round, a pass
            // committing between the two reads hid its deliveries from both.
            if (await WebhookStatusFanOut.WaitingAsync(db, cancellationToken) == 0
                && await db.WebhookDeliveries.CountAsync(d => d.State == DeliveryState.Pending, cancellationToken) == 0)
            {
                return watch.Elapsed;
            }
            await Task.Delay(100, cancellationToken);
        }
        return null;
    }

    /// <summary>
    /// Sends status updates at <paramref name="rate"/> a second for <paramref name="seconds"/> (open loop: each starts on
    /// its tick whatever the others do), waits for the deliveries, then reads the lag of every delivery of the run.
    /// </summary>
    public static async Task<WebhookLag> PacedLagAsync(HttpClient api, Workload workload, int rate, int seconds, CancellationToken cancellationToken)
    {
        var targets = await Workload.StatusTargetsAsync(workload.ConnectionString, rate * seconds, cancellationToken);
        var since = DateTimeOffset.UtcNow;
        var sends = new List<Task<(bool Ok, long Ticks)>>(targets.Count);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < targets.Count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due > watch.Elapsed) await Task.Delay(due - watch.Elapsed, cancellationToken);
            var target = targets[i];
            sends.Add(Task.Run(async () =>
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await api.SendAsync(EndpointSql.StatusRequest(workload, target), cancellationToken);
                return (response.IsSuccessStatusCode, Stopwatch.GetTimestamp() - start);
            }, cancellationToken));
        }
        var updates = await Task.WhenAll(sends);
        var changes = updates.Count(u => u.Ok);
        var elapsed = watch.Elapsed;
        var achieved = targets.Count / elapsed.TotalSeconds;
        await DrainAsync(workload.ConnectionString, TimeSpan.FromSeconds(60), cancellationToken);

        await using var connection = await BenchDatabase.OpenAsync(workload.ConnectionString, cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT count(*), count(*) FILTER (WHERE x.state = 'delivered'),
                   coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY x.lag), 0),
                   coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY x.lag), 0), coalesce(max(x.lag), 0),
                   current_setting('track_commit_timestamp')::bool
            FROM (SELECT d.state, extract(epoch FROM (SELECT min(a.attempted_at) FROM webhook_attempts a WHERE a.delivery_id = d.id)
                                                    - coalesce(CASE WHEN current_setting('track_commit_timestamp')::bool
                                                                    THEN pg_xact_commit_timestamp(s.xmin) END, e.created_at)) * 1000 AS lag
                  FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id JOIN status_changes s ON s.seq = e.seq
                  WHERE e.created_at >= $1 AND e.type = 'claim.status_changed') x
            """, connection);
        command.Parameters.AddWithValue(since);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new WebhookLag(achieved, changes, reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4))
        {
            FromCommit = reader.GetBoolean(5),
            Updates = LoadResult.FromLatencies([.. updates.Select(u => u.Ticks)], elapsed, updates.Count(u => !u.Ok)),
        };
    }

    public async ValueTask DisposeAsync() => await _receiver.DisposeAsync();
}
