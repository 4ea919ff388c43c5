using System.Net;
using System.Text.Json;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.Changes;

/// <summary>One block of a `text/event-stream`: the lines up to a blank line, by field (a comment's field is "").</summary>
public sealed record EventBlock(IReadOnlyList<(string Field, string Value)> Lines)
{
    public string? Field(string name) => Lines.Where(l => l.Field == name).Select(l => l.Value).LastOrDefault();

    public string? Id => Field("id");
    public string? Event => Field("event");
    public string? Data => Field("data");
    public bool IsEvent => Data is not null;
    public bool IsHeartbeat => !IsEvent && Lines.Any(l => l is { Field: "", Value: "keep-alive" });

    public StatusChangeResponse Change => JsonSerializer.Deserialize<StatusChangeResponse>(Data!, ClaimTrackerApp.Json)!;
}

/// <summary>
/// A client of `GET /changes/stream` that reads it block by block, as EventSource does. Every read fails the test
/// after <see cref="Timeout"/> instead of hanging it.
/// </summary>
public sealed class EventStream : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
    }

    public HttpResponseMessage Response => _response;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens the stream (headers read, body not) and asserts 200.</summary>
    public static async Task<EventStream> OpenAsync(HttpClient client, string url = "/api/v1/changes/stream", string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Timeout);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.StatusCode != HttpStatusCode.OK) // only then is the body finite
        {
            using (response) Assert.Fail($"GET {url} returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(timeout.Token)}");
        }
        return new EventStream(response, await response.Content.ReadAsStreamAsync(timeout.Token));
    }

    /// <summary>The next block, or null when the server ended the stream.</summary>
    public async Task<EventBlock?> NextBlockAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Timeout);
        var lines = new List<(string, string)>();
        try
        {
            while (await _reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (lines.Count > 0) return new EventBlock(lines);
                    continue;
                }
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..]);
                lines.Add((field, value.StartsWith(' ') ? value[1..] : value));
            }
            Assert.Empty(lines); // a stream ends between blocks
            return null;
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            Assert.Fail($"Nothing more on the stream within {Timeout.TotalSeconds} s (read so far: {lines.Count} lines).");
            throw;
        }
    }

    /// <summary>The next event, skipping the `retry` block and heartbeats; fails when the stream ends first.</summary>
    public async Task<EventBlock> NextEventAsync()
    {
        while (await NextBlockAsync() is { } block)
        {
            if (block.IsEvent) return block;
        }
        Assert.Fail("The stream ended before the next event.");
        throw new InvalidOperationException();
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
