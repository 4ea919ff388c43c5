namespace ClaimTracker.Benchmarks.Measure;

/// <summary>(a) The database floor: an endpoint's captured SQL replayed with raw Npgsql by a closed loop of workers.</summary>
public static class DatabaseFloor
{
    public const string ResultPrefix = "RESULT ";

    /// <summary>`db-floor`: warm-up, then the repeats; prints the median as one JSON line after <see cref="ResultPrefix"/>.</summary>
    public static async Task<int> RunChildAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var workload = Workload.Load(options.WorkloadFile ?? throw new ArgumentException("--workload is required"));
        var endpoint = workload.Endpoints.Single(e => e.Name == options.Endpoints?.Single());
        var captured = await EndpointSql.CaptureAsync(workload, cancellationToken);
        await using var dataSource = FloorQueries.CreateDataSource(workload.ConnectionString);
        var queries = new FloorQueries(dataSource, captured);
        async Task<LoadResult> Run(int seconds)
        {
            var targets = endpoint.Kind == EndpointKind.StatusUpdate
                ? await Workload.StatusTargetsAsync(workload.ConnectionString, BenchmarkRunner.TargetsFor(seconds), cancellationToken)
                : [];
            return await LoadLoop.RunAsync(Operation(queries, workload, endpoint, targets), options.Connections, TimeSpan.FromSeconds(seconds), cancellationToken);
        }
        await Run(options.WarmupSeconds);
        var runs = new List<LoadResult>();
        for (var i = 0; i < options.Repeats; i++) runs.Add(await Run(options.DurationSeconds));
        Console.WriteLine(ResultPrefix + System.Text.Json.JsonSerializer.Serialize(LoadResult.Median(runs)));
        return 0;
    }

    /// <summary>One request's worth of the endpoint's SQL; the argument is the request's number (to pick an id or a target).</summary>
    public static Func<int, CancellationToken, Task<bool>> Operation(
        FloorQueries queries, Workload workload, BenchEndpoint endpoint, IReadOnlyList<StatusTarget> targets) => endpoint.Kind switch
    {
        EndpointKind.ClaimById => async (i, ct) => await queries.GetDetailAsync(workload.Ids[i % workload.Ids.Length], ct) is not null,
        EndpointKind.StatusUpdate => async (i, ct) =>
        {
            var t = targets[i % targets.Count];
            return (await queries.ChangeStatusAsync(t.Id, t.ETag, t.To, Workload.StatusReason, workload.EditorKey, ct)).Status == 200;
        },
        EndpointKind.Match => async (_, ct) =>
            (await queries.MatchAsync(workload.MatchText, Workload.MatchLanguage, Api.Matching.MatchingApi.DefaultLimit, ct)).Matches.Count > 0,
        EndpointKind.Create => throw new NotSupportedException("The create has no database floor: (b) is the API with the guard off."),
        EndpointKind.StatusWebhooks => throw new NotSupportedException("status-webhooks has no database floor: (b) is the API without subscriptions."),
        _ => async (_, ct) => (await queries.ListAsync(endpoint.Name, ct)).Items.Count > 0,
    };
}
