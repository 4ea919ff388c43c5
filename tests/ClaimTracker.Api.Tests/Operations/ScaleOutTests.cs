using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Tests.Infrastructure;
using ClaimTracker.Api.Tests.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Operations;

/// <summary>
/// Three API instances behind HAProxy on one database, under a bounded mixed load (reads, status changes, creates with an
/// `Idempotency-Key`, a change-stream client), and the instance serving the stream killed with SIGKILL mid-run: every
/// acknowledged write is in the database exactly once, no write is there twice, the chain is valid, and the stream
/// client, reconnecting through HAProxy with `Last-Event-ID`, sees every change in order on another instance.
/// </summary>
public sealed class ScaleOutTests
{
    private const string AdminKey = "scale-out-tests-admin-key";
    private static readonly TimeSpan LoadTime = TimeSpan.FromSeconds(12);
    private static readonly TimeSpan KillAfter = TimeSpan.FromSeconds(4);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ApiProcess StartApi(string connectionString) => ApiProcess.Start(new Dictionary<string, string>
    {
        ["ConnectionStrings__ClaimTracker"] = connectionString,
        ["Auth__BootstrapAdminKey"] = AdminKey,
        ["RateLimiting__Enabled"] = "false",
    });

    [Fact]
    public async Task KillingAnInstanceBehindHaproxyLosesNoAcknowledgedWriteAndTheStreamResumesWithoutAGap()
    {
        Assert.SkipUnless(File.Exists(HaproxyProcess.Binary), "HAProxy is not installed (apt-get install haproxy; .ci/run installs it).");
        var database = await PostgresServer.Current.CreateDatabaseAsync();
        var instances = new[] { StartApi(database), StartApi(database), StartApi(database) };
        try
        {
            var addresses = await Task.WhenAll(instances.Select(i => i.ListeningAsync(TimeSpan.FromSeconds(90), Ct)));
            await using var haproxy = await HaproxyProcess.StartAsync(addresses, Ct);
            using var client = new HttpClient { BaseAddress = haproxy.Address, Timeout = TimeSpan.FromSeconds(10) };
            client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
            await WaitAllUpAsync(client);

            var claims = new List<string>();
            for (var i = 0; i < 8; i++)
            {
                var slug = TestData.UniqueSlug("scale");
                await client.CreateClaimAsync(slug, "bytedance", $"Scale-out claim {Guid.NewGuid():N} {Guid.NewGuid():N}.");
                claims.Add(slug);
            }
            long startSeq;
            await using (var db = Db(database)) startSeq = await db.StatusChanges.MaxAsync(s => (long?)s.Seq, Ct) ?? 0;

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var stream = new StreamClient(haproxy.Address, startSeq);
            var streaming = stream.RunAsync(stop.Token);
            var firstServer = await stream.FirstServerAsync(TimeSpan.FromSeconds(15));

            var created = new ConcurrentBag<(string Key, string Title, bool Acknowledged)>();
            var changed = new ConcurrentBag<(string Reason, bool Acknowledged)>();
            var reads = new ConcurrentBag<bool>();
            var watch = Stopwatch.StartNew();
            var load = new List<Task>
            {
                Task.Run(() => CreateSourcesAsync(client, created, watch), Ct),
                Task.Run(() => ChangeStatusesAsync(client, claims[..4], changed, watch), Ct),
                Task.Run(() => ChangeStatusesAsync(client, claims[4..], changed, watch), Ct),
                Task.Run(() => ReadAsync(client, claims, reads, watch), Ct),
            };

            await Task.Delay(KillAfter, Ct);
            var victim = instances[int.Parse(firstServer["api".Length..], System.Globalization.CultureInfo.InvariantCulture) - 1];
            await victim.DisposeAsync(); // SIGKILL: no draining, in-flight requests cut
            await Task.WhenAll(load);

            // The stream must catch up with every change committed; then it is stopped.
            long lastSeq;
            await using (var db = Db(database)) lastSeq = await db.StatusChanges.MaxAsync(s => s.Seq, Ct);
            await stream.WaitForAsync(lastSeq, TimeSpan.FromSeconds(20));
            await stop.CancelAsync();
            await streaming;

            await using (var db = Db(database))
            {
                // Every acknowledged create once, none twice (a retry after a lost answer replayed, did not run again).
                var titles = await db.Sources.Where(s => s.Title.StartsWith("scale-out ")).GroupBy(s => s.Title)
                    .Select(g => new { Title = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Title, g => g.Count, Ct);
                Assert.All(created.Where(c => c.Acknowledged), c => Assert.Equal(1, titles.GetValueOrDefault(c.Title)));
                Assert.All(titles, t => Assert.Equal(1, t.Value));
                // Every acknowledged status change once in the chain, none twice.
                var reasons = await db.StatusChanges.Where(s => s.Seq > startSeq).GroupBy(s => s.Reason)
                    .Select(g => new { Reason = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Reason!, g => g.Count, Ct);
                Assert.All(changed.Where(c => c.Acknowledged), c => Assert.Equal(1, reasons.GetValueOrDefault(c.Reason)));
                Assert.All(reasons, r => Assert.Equal(1, r.Value));

                // The stream: every change after its start, in order, each once, across the reconnection.
                var seqs = await db.StatusChanges.Where(s => s.Seq > startSeq).OrderBy(s => s.Seq).Select(s => s.Seq).ToListAsync(Ct);
                Assert.Equal(seqs, stream.Seqs);
            }
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"creates {created.Count} ({created.Count(c => c.Acknowledged)} acknowledged), status changes {changed.Count} " +
                $"({changed.Count(c => c.Acknowledged)} acknowledged), reads {reads.Count} ({reads.Count(r => !r)} failed), " +
                $"stream {stream.Seqs.Count} changes over {string.Join(" → ", stream.Servers)}, killed {firstServer}");
            Assert.True(created.Count(c => c.Acknowledged) >= 5, $"too few creates acknowledged: {created.Count(c => c.Acknowledged)}");
            Assert.True(changed.Count(c => c.Acknowledged) >= 10, $"too few status changes acknowledged: {changed.Count(c => c.Acknowledged)}");
            Assert.True(reads.Count(r => r) >= 20, "too few reads answered");
            Assert.True(stream.Servers.Count >= 2 && stream.Servers.Skip(1).All(s => s != firstServer),
                $"the stream did not resume on another instance: {string.Join(", ", stream.Servers)}");

            using var verify = await client.GetAsync("/api/v1/changes/verify", Ct);
            Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
            Assert.True((await verify.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("valid").GetBoolean());
        }
        finally
        {
            foreach (var instance in instances) await instance.DisposeAsync();
        }
    }

    /// <summary>Until HAProxy's checks have seen each instance ready (rise 2 × 200 ms), requests may meet a server still marked down.</summary>
    private static async Task WaitAllUpAsync(HttpClient client)
    {
        var seen = new HashSet<string>();
        var deadline = Stopwatch.StartNew();
        while (seen.Count < 3)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"HAProxy routed only to {string.Join(", ", seen)}");
            using var response = await client.GetAsync("/health/ready", Ct);
            if (response.IsSuccessStatusCode && response.Headers.TryGetValues("X-Served-By", out var server)) seen.Add(server.Single());
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>Creates sources, each retried with its `Idempotency-Key` until acknowledged (at most 20 tries), as a careful client does.</summary>
    private static async Task CreateSourcesAsync(HttpClient client, ConcurrentBag<(string, string, bool)> created, Stopwatch watch)
    {
        while (watch.Elapsed < LoadTime)
        {
            var key = Guid.NewGuid().ToString("N");
            var title = $"scale-out {key}";
            var acknowledged = false;
            for (var attempt = 0; attempt < 20 && !acknowledged; attempt++)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sources")
                    {
                        Content = JsonContent.Create(new { kind = "statement", title, content = $"A statement made for {key}." }),
                    };
                    request.Headers.Add("Idempotency-Key", key);
                    using var response = await client.SendAsync(request, Ct);
                    acknowledged = response.StatusCode == HttpStatusCode.Created;
                }
                catch (HttpRequestException)
                {
                    // The connection was cut (the instance died): try again with the same key.
                }
                if (!acknowledged) await Task.Delay(100, Ct);
            }
            created.Add((key, title, acknowledged));
        }
    }

    /// <summary>Moves claims between `unverified` and `in_review`, each change with a reason of its own; not retried (a 412 or a cut is not acknowledged).</summary>
    private static async Task ChangeStatusesAsync(HttpClient client, IReadOnlyList<string> claims, ConcurrentBag<(string, bool)> changed, Stopwatch watch)
    {
        for (var i = 0; watch.Elapsed < LoadTime; i++)
        {
            var slug = claims[i % claims.Count];
            var reason = $"Scale-out change {Guid.NewGuid():N}.";
            var acknowledged = false;
            try
            {
                using var read = await client.GetAsync($"/api/v1/claims/{slug}", Ct);
                if (!read.IsSuccessStatusCode) continue;
                var status = (await read.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString();
                using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{slug}/status")
                {
                    Content = JsonContent.Create(new { status = status == "in_review" ? "unverified" : "in_review", reason }),
                };
                put.Headers.IfMatch.Add(read.Headers.ETag!);
                using var response = await client.SendAsync(put, Ct);
                acknowledged = response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                // Cut: unknown whether it committed; it is checked to be there at most once.
            }
            changed.Add((reason, acknowledged));
        }
    }

    private static async Task ReadAsync(HttpClient client, IReadOnlyList<string> claims, ConcurrentBag<bool> reads, Stopwatch watch)
    {
        for (var i = 0; watch.Elapsed < LoadTime; i++)
        {
            try
            {
                using var response = await client.GetAsync(i % 2 == 0 ? "/api/v1/claims?limit=20" : $"/api/v1/claims/{claims[i % claims.Count]}", Ct);
                reads.Add(response.IsSuccessStatusCode);
            }
            catch (HttpRequestException)
            {
                reads.Add(false);
            }
        }
    }

    private static ClaimTrackerDbContext Db(string connectionString) => ClaimTrackerApp.CreateDbContext(connectionString);

    /// <summary>
    /// A change-stream client as a browser's EventSource behaves: it reads `id:` lines, and when the connection ends it
    /// reconnects (through HAProxy) with `Last-Event-ID`, noting which instance served each connection.
    /// </summary>
    private sealed class StreamClient(Uri address, long after)
    {
        private readonly List<long> _seqs = [];
        private readonly List<string> _servers = [];
        private readonly TaskCompletionSource<string> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<long> Seqs
        {
            get
            {
                lock (_seqs) return [.. _seqs];
            }
        }

        public IReadOnlyList<string> Servers
        {
            get
            {
                lock (_servers) return [.. _servers];
            }
        }

        public Task<string> FirstServerAsync(TimeSpan timeout) => _first.Task.WaitAsync(timeout, Ct);

        public async Task WaitForAsync(long seq, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (Seqs.LastOrDefault() < seq)
            {
                Assert.True(deadline.Elapsed < timeout, $"the stream reached {Seqs.LastOrDefault()}, not {seq}; servers {string.Join(", ", Servers)}");
                await Task.Delay(50, Ct);
            }
        }

        public async Task RunAsync(CancellationToken stop)
        {
            using var client = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    long? last;
                    lock (_seqs) last = _seqs.Count > 0 ? _seqs[^1] : null;
                    using var request = new HttpRequestMessage(HttpMethod.Get, last is null ? $"/api/v1/changes/stream?after={after}" : "/api/v1/changes/stream");
                    if (last is not null) request.Headers.Add("Last-Event-ID", last.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
                    if (!response.IsSuccessStatusCode)
                    {
                        await Task.Delay(100, stop);
                        continue;
                    }
                    var server = response.Headers.GetValues("X-Served-By").Single();
                    lock (_servers) _servers.Add(server);
                    _first.TrySetResult(server);
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
                    while (await reader.ReadLineAsync(stop) is { } line)
                    {
                        if (!line.StartsWith("id: ", StringComparison.Ordinal)) continue;
                        var seq = long.Parse(line["id: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                        lock (_seqs) _seqs.Add(seq);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException && !stop.IsCancellationRequested)
                {
                    // The instance went away mid-stream: reconnect, as EventSource does after `retry`.
                    await Task.Delay(100, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }
}
