using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace ClaimTracker.Api.Tests.Webhooks;

/// <summary>One request the receiver got: the Standard Webhooks headers (all of them, for the verifier) and the body.</summary>
public sealed record ReceivedWebhook(IHeaderDictionary Headers, string Body, DateTimeOffset At)
{
    public string Id => Headers["webhook-id"].ToString();
    public string Signature => Headers["webhook-signature"].ToString();
    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;
    public string Type => Json.GetProperty("type").GetString()!;

    /// <summary>Verifies the signature with the StandardWebhooks package (never the API's own code); throws when it does not hold.</summary>
    public void Verify(string secret) => new StandardWebhook(secret).Verify(Body, Headers);
}

/// <summary>What the receiver answers: a status, optionally a Retry-After or a Location, after an optional delay.</summary>
public sealed record ReceiverReply(int Status, string? RetryAfter = null, TimeSpan Delay = default, string? Location = null);

/// <summary>
/// A webhook receiver: Kestrel on 127.0.0.1 (a free port, or a given one), recording every request. <see cref="Reply"/>
/// decides the answer from the request and how many times this `webhook-id` has come (1 the first time).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public Func<ReceivedWebhook, int, ReceiverReply> Reply { get; set; } = (_, _) => new ReceiverReply(StatusCodes.Status204NoContent);

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public int Port { get; private set; }

    public string Url => $"http://127.0.0.1:{Port}/hooks";

    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            var headers = new HeaderDictionary(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
            var received = new ReceivedWebhook(headers, body, DateTimeOffset.UtcNow);
            receiver._received.Enqueue(received);
            var reply = receiver.Reply(received, receiver._counts.AddOrUpdate(received.Id, 1, (_, n) => n + 1));
            if (reply.Delay > TimeSpan.Zero) await Task.Delay(reply.Delay, http.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (reply.RetryAfter is not null) http.Response.Headers.RetryAfter = reply.RetryAfter;
            if (reply.Location is not null) http.Response.Headers.Location = reply.Location;
            http.Response.StatusCode = reply.Status;
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Port = new Uri(address).Port;
        return receiver;
    }

    /// <summary>Waits until the receiver holds requests satisfying <paramref name="done"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> done, TimeSpan timeout, string what)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        while (!done(Received))
        {
            try
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"Waited {timeout.TotalSeconds} s for {what}; received {Received.Count}: " +
                            string.Join(" | ", Received.Select(r => r.Body)));
            }
        }
        return Received;
    }


    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
