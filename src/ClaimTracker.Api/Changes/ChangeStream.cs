using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Replicas;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClaimTracker.Api.Changes;

/// <summary>Configuration `ChangeStream`: `HeartbeatSeconds` (default 15) and `MaxSubscribers` per instance (default 1000).</summary>
public sealed class ChangeStreamOptions
{
    public const string Section = "ChangeStream";

    [Range(1, 3600, ErrorMessage = "ChangeStream:HeartbeatSeconds must be 1–3600.")]
    public int HeartbeatSeconds { get; set; } = 15;

    [Range(1, int.MaxValue, ErrorMessage = "ChangeStream:MaxSubscribers must be at least 1.")]
    public int MaxSubscribers { get; set; } = 1000;

    public TimeSpan Heartbeat => TimeSpan.FromSeconds(HeartbeatSeconds);
}

/// <summary>Where `GET /changes/stream` starts, as sent: `Last-Event-ID` wins over `after`.</summary>
public sealed record ChangeStreamQuery
{
    /// <summary>
    /// Resume after this `seq`: the `id` of the last event received. EventSource sends it by itself when it reconnects.
    /// Wins over `after`.
    /// </summary>
    /// <example>17</example>
    [FromHeader(Name = "Last-Event-ID")] public string? LastEventId { get; init; }

    /// <summary>Start after this `seq` (0: every change from the first). Without it or `Last-Event-ID`: only changes from now on.</summary>
    /// <example>0</example>
    [FromQuery(Name = "after")] public string? After { get; init; }

    /// <summary>The `seq` to start after, or null for "from now"; each bad value is named in <paramref name="errors"/>.</summary>
    public long? Parse(ValidationErrors errors)
    {
        var lastEventId = ParseSeq(errors, "Last-Event-ID", LastEventId);
        var after = ParseSeq(errors, "after", After);
        return lastEventId ?? after;
    }

    private static long? ParseSeq(ValidationErrors errors, string field, string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) return seq;
        errors.Add(field, $"{field} must be a seq: an integer of 0 or more.");
        return null;
    }
}

public static class ChangeStream
{
    public const string ContentType = "text/event-stream";
    public const string EventType = "status_change";
    private const int BatchSize = 500;
    private const int ReconnectMilliseconds = 3000;
    private const int FullRetryAfterSeconds = 10;

    /// <summary>The listener (one LISTEN connection per instance) and the stream's settings.</summary>
    public static void AddClaimTrackerChangeStream(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<ChangeStreamOptions>(ChangeStreamOptions.Section);
        builder.Services.AddSingleton<ChangeListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ChangeListener>());
    }

    public static RouteHandlerBuilder MapChangeStream(this IEndpointRouteBuilder changes) =>
        changes.MapGet("/stream", OpenStream)
            // Woken by the primary's NOTIFY: a lagging replica would not have the change yet, and the stream would wait for the next.
            .ReadsFromPrimary()
            .WithName("StreamChanges")
            .WithSummary("Stream status changes live, as Server-Sent Events")
            .WithDescription("`text/event-stream` for `EventSource`. Each change is one event: `id: <seq>`, `event: status_change`, " +
                             "`data: <the change as one line of JSON>` (a row of `GET /changes`). Starts after `Last-Event-ID` " +
                             "(sent by EventSource when it reconnects) or `after`; with neither, from now on: load the state first " +
                             "(`GET /claims`, `GET /stats`), then stream. Every change after the starting point arrives once, in " +
                             "`seq` order, with no gaps, whichever instance it was made on (PostgreSQL LISTEN/NOTIFY; the database " +
                             "is read for what is new, so nothing is missed). The stream opens with `retry: 3000` and sends a " +
                             "`: keep-alive` comment every `ChangeStream:HeartbeatSeconds` (15 s) so that proxies keep it open. " +
                             "It ends when the instance stops; reconnect with `Last-Event-ID`. 503 with `Retry-After` when this " +
                             "instance has `ChangeStream:MaxSubscribers` streams open.")
            .Produces<string>(StatusCodes.Status200OK, ContentType)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <param name="query">`Last-Event-ID` or `after`.</param>
    /// <param name="listener">This instance's LISTEN connection.</param>
    /// <param name="db">The database.</param>
    /// <param name="http">The request, for `Retry-After`.</param>
    /// <param name="cancellationToken">Aborted with the request.</param>
    private static async Task<Results<ChangeStreamResult, ValidationProblem, ProblemHttpResult>> OpenStream(
        [AsParameters] ChangeStreamQuery query, ChangeListener listener, ClaimTrackerDbContext db, HttpContext http,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var after = query.Parse(errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        // Subscribed before the database is read: a change committed in between wakes the stream.
        var subscription = listener.TrySubscribe();
        if (subscription is null)
        {
            http.Response.Headers.RetryAfter = FullRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Too many live streams",
                detail: $"This instance has as many change streams open as it allows. Retry after {FullRetryAfterSeconds} s, " +
                        "or poll GET /api/v1/changes.");
        }
        http.Response.RegisterForDispose(subscription);

        after ??= await db.StatusChanges.MaxAsync(c => (long?)c.Seq, cancellationToken) ?? 0;
        return new ChangeStreamResult(subscription, db, after.Value);
    }

    /// <summary>Writes the stream until the client leaves, the app stops, or the database fails (the client then resumes).</summary>
    internal sealed class ChangeStreamResult(ChangeSubscription subscription, ClaimTrackerDbContext db, long start) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var after = start;
            var services = httpContext.RequestServices;
            var settings = services.GetRequiredService<IOptions<ChangeStreamOptions>>().Value;
            var clock = services.GetRequiredService<TimeProvider>();
            var json = services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, stopping);
            var cancellationToken = ended.Token;

            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.Headers.CacheControl = "no-store";
            response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on at once
            response.Headers.ContentEncoding = "identity"; // compression middleware would hold events back
            httpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();

            Telemetry.ClaimTrackerMetrics.OpenStreams.Add(1);
            try
            {
                await WriteAsync(response, $"retry: {ReconnectMilliseconds}\n\n", cancellationToken);
                var lastHeartbeat = clock.GetTimestamp();
                while (true)
                {
                    subscription.Reset();
                    after = await SendNewAsync(response, db, after, json, cancellationToken);

                    // Woken by a change, or at the heartbeat: either way the database is read again.
                    var wait = settings.Heartbeat - clock.GetElapsedTime(lastHeartbeat);
                    if (wait > TimeSpan.Zero) await subscription.WaitAsync(wait, clock, cancellationToken);
                    cancellationToken.ThrowIfCancellationRequested();
                    if (clock.GetElapsedTime(lastHeartbeat) >= settings.Heartbeat)
                    {
                        await WriteAsync(response, ": keep-alive\n\n", cancellationToken);
                        lastHeartbeat = clock.GetTimestamp();
                    }
                }
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // The client left or the app is stopping (a read or write in flight may fail otherwise than by
                // cancellation, e.g. on the disposed data source): the stream simply ends.
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                services.GetRequiredService<ILogger<ChangeStreamResult>>()
                    .LogWarning(e, "Ended a change stream at seq {After}: the database failed; the client resumes from there.", after);
            }
            finally
            {
                Telemetry.ClaimTrackerMetrics.OpenStreams.Add(-1);
            }
        }

        /// <summary>Sends every change after <paramref name="after"/>, in batches, oldest first; returns the last seq sent.</summary>
        private static async Task<long> SendNewAsync(
            HttpResponse response, ClaimTrackerDbContext db, long after, JsonSerializerOptions json, CancellationToken cancellationToken)
        {
            while (true)
            {
                var page = await ChangeFeed.PageAsync(db, after, BatchSize, cancellationToken);
                if (page.Items.Count == 0) return after;
                var text = new StringBuilder();
                foreach (var change in page.Items)
                {
                    text.Append(CultureInfo.InvariantCulture, $"id: {change.Seq}\nevent: {EventType}\ndata: ")
                        .Append(JsonSerializer.Serialize(change, json)) // one line: JSON escapes line breaks in strings
                        .Append("\n\n");
                }
                await WriteAsync(response, text.ToString(), cancellationToken);
                after = page.NextAfter;
                if (page.Items.Count < BatchSize) return after;
            }
        }

        private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
        {
            await response.WriteAsync(text, cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }
    }
}
