using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.Webhooks;

/// <summary>What one attempt came to: the receiver's status (null when none came back), how long, and why it failed.</summary>
public sealed record AttemptOutcome(int? StatusCode, int DurationMs, string? Error, TimeSpan? RetryAfter)
{
    public bool Delivered => StatusCode is >= 200 and < 300;
}

/// <summary>
/// Sends one signed request. Redirects are not followed (a 3xx is a failure: the receiver must give its final URL), no
/// proxy is used (the SSRF guard must see the real destination), and each connection goes through the guard.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _clock;

    public WebhookSender(IOptions<WebhookOptions> options, TimeProvider clock)
    {
        var settings = options.Value;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5), // DNS changes are seen, and re-checked by the guard
            ConnectCallback = (context, cancellationToken) =>
                WebhookAddresses.ConnectAsync(context, settings.AllowPrivateNetworks, cancellationToken),
        };
        _client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("ClaimTracker-Webhooks/1.0");
        (_timeout, _clock) = (settings.Timeout, clock);
    }

    public async Task<AttemptOutcome> SendAsync(string url, string webhookId, string body, IReadOnlyList<string> secrets, CancellationToken stoppingToken)
    {
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Header(secrets, webhookId, timestamp, body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            var error = status switch
            {
                >= 200 and < 300 => null,
                >= 300 and < 400 => $"Redirect ({status}) not followed.",
                _ => $"The receiver answered {status}.",
            };
            return new AttemptOutcome(status, Elapsed(watch), error, RetryAfter(response));
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new AttemptOutcome(null, Elapsed(watch), $"No response within {_timeout.TotalSeconds:0.###} s.", null);
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is RefusedAddressException refused ? $"Refused: {refused.Message}" : e.Message;
            return new AttemptOutcome(null, Elapsed(watch), reason, null);
        }
    }

    private static int Elapsed(Stopwatch watch) => (int)Math.Min(int.MaxValue, watch.ElapsedMilliseconds);

    /// <summary>The wait a 429 or 503 asks for, as seconds or an HTTP date; null otherwise.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)) return null;
        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - _clock.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
    }

    public void Dispose() => _client.Dispose();
}
