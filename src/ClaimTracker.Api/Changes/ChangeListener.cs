using System.Collections.Concurrent;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClaimTracker.Api.Changes;

/// <summary>
/// The one `LISTEN claimtracker_changes` connection of this instance. Every committed status change (on any instance)
/// wakes every open stream here; the streams then read what is new from the database, which stays the source of
/// truth, so a lost notification only delays an event. Reconnects with backoff when the connection fails.
/// </summary>
internal sealed class ChangeListener(
    DatabaseEndpoint database, IOptions<ChangeStreamOptions> options, TimeProvider clock, ILogger<ChangeListener> logger) : BackgroundService
{
    /// <summary>The channel the `status_changes` trigger notifies (payload: the new seq) at commit.</summary>
    public const string Channel = "claimtracker_changes";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<ChangeSubscription, byte> _subscribers = new();
    private int _count;

    /// <summary>Open streams on this instance.</summary>
    public int SubscriberCount => Volatile.Read(ref _count);

    /// <summary>A subscription to wake-ups, or null when `ChangeStream:MaxSubscribers` streams are open already.</summary>
    public ChangeSubscription? TrySubscribe()
    {
        if (Interlocked.Increment(ref _count) > options.Value.MaxSubscribers)
        {
            Interlocked.Decrement(ref _count);
            return null;
        }
        var subscription = new ChangeSubscription(this);
        _subscribers.TryAdd(subscription, 0);
        return subscription;
    }

    internal void Unsubscribe(ChangeSubscription subscription)
    {
        if (_subscribers.TryRemove(subscription, out _)) Interlocked.Decrement(ref _count);
    }

    private void WakeAll()
    {
        foreach (var (subscription, _) in _subscribers) subscription.Wake();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Runs at host start, after InitializeDatabaseAsync has resolved the endpoint.
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Pooling = false, // one long-lived connection, never shared
            ApplicationName = "ClaimTracker change listener",
        };
        // A keepalive query makes a silently dropped connection fail the wait instead of hanging it.
        if (connectionString.KeepAlive == 0) connectionString.KeepAlive = 30;
        // Named, so that its metrics are not labelled by the connection string (host, user, database) on /metrics.
        await using var dataSource = new NpgsqlDataSourceBuilder(connectionString.ConnectionString) { Name = "claimtracker-listener" }.Build();

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = dataSource.CreateConnection();
                connection.Notification += (_, _) => WakeAll();
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                if (failures > 0) logger.LogInformation("Listening for status changes again after {Failures} failed attempts.", failures);
                failures = 0;
                // Changes committed while nobody listened are found in the database by the woken streams.
                WakeAll();
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                var delay = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, failures - 1)));
                // A lost connection is expected (a database restart, a failover): one line. Anything else keeps its stack trace.
                const string message = "The change listener lost its database connection (attempt {Failures}: {Reason}); " +
                                       "reconnecting in {Delay}. Until then, streams see new changes at their next heartbeat.";
                if (DatabaseFailures.Find(e) is { IsTransient: true } or PostgresException { SqlState: "57P01" or "57P02" or "57P03" })
                {
                    logger.LogWarning(message, failures, e.Message, delay);
                }
                else
                {
                    logger.LogWarning(e, message, failures, e.Message, delay);
                }
                try
                {
                    await Task.Delay(delay, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}

/// <summary>One stream's wake-up signal. Reset before reading the database, so that a change committed during the read is not missed.</summary>
internal sealed class ChangeSubscription(ChangeListener listener) : IDisposable
{
    private TaskCompletionSource _signal = NewSignal();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal void Wake() => Volatile.Read(ref _signal).TrySetResult();

    /// <summary>Forgets wake-ups so far; call it before each read of the database.</summary>
    public void Reset()
    {
        if (_signal.Task.IsCompleted) Volatile.Write(ref _signal, NewSignal());
    }

    /// <summary>Waits for a wake-up since the last <see cref="Reset"/>, at most <paramref name="timeout"/>; never throws.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken) =>
        await Volatile.Read(ref _signal).Task.WaitAsync(timeout, clock, cancellationToken)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    public void Dispose() => listener.Unsubscribe(this);
}
