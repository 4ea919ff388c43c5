using ClaimTracker.Api.Data;

namespace ClaimTracker.Api.Stats;

/// <summary>
/// Lets concurrent `GET /stats` requests share one computation without ever answering with numbers older than the
/// request. The dashboard re-reads the stats after every live change, so N open dashboards ask at once, and each
/// computation groups every claim (about 2 s at a million). A request joins the computation that starts next, never
/// one already running (its snapshot may predate the request): N simultaneous requests cost at most two computations,
/// and each answer includes every write committed before its request arrived. Per `days` value, per instance.
/// </summary>
public sealed class StatsCoalescer(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime)
{
    private sealed class Slot
    {
        public Task? Running;
        public TaskCompletionSource<StatsResponse>? Next;
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<int, Slot> _slots = [];
    private int _waiting;
    private long _computations;

    /// <summary>Requests waiting for a computation now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Computations run since start.</summary>
    public long Computations => Interlocked.Read(ref _computations);

    public async Task<StatsResponse> GetAsync(int days, CancellationToken cancellationToken)
    {
        TaskCompletionSource<StatsResponse> shared;
        Slot? slot;
        Task? after = null;
        var start = false;
        lock (_gate)
        {
            if (!_slots.TryGetValue(days, out slot)) _slots[days] = slot = new Slot();
            if (slot.Next is null)
            {
                slot.Next = new TaskCompletionSource<StatsResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
                after = slot.Running;
                start = true;
            }
            shared = slot.Next;
        }
        if (start) _ = RunAsync(days, slot, shared, after);

        Interlocked.Increment(ref _waiting);
        try
        {
            return await shared.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>Runs <paramref name="mine"/> once <paramref name="after"/>, the computation running when it was queued, ends.</summary>
    private async Task RunAsync(int days, Slot slot, TaskCompletionSource<StatsResponse> mine, Task? after)
    {
        // Its outcome was its own requests' to see; this one only waits for it to end.
        if (after is not null) await after.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_gate)
        {
            // From here on, newcomers queue behind this computation instead of joining it.
            (slot.Running, slot.Next) = (mine.Task, null);
        }
        try
        {
            Interlocked.Increment(ref _computations);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
            var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
            mine.SetResult(await StatsQueries.ComputeAsync(db, days, clock, lifetime.ApplicationStopping));
        }
        catch (Exception e)
        {
            // Every request that joined gets the failure (e.g. the database is unavailable: 503 for each).
            mine.SetException(e);
        }
        finally
        {
            lock (_gate)
            {
                if (slot.Running == mine.Task) slot.Running = null;
            }
        }
    }
}
