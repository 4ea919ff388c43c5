using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ClaimTracker.Api.Replicas;

/// <summary>
/// Which database answers each `/api/v1` request, when replicas are configured:
/// <list type="bullet">
/// <item>A read (GET, HEAD) goes to a replica that answers, lags at most `Database:MaxReplicaLagSeconds` and has replayed
/// the request's `X-Consistency-Token`; with none such, to the primary. The request's DbContext is switched to that
/// replica after authentication, which stays on the primary (a revoked key is refused at once). A replica that fails
/// under the read (down, restarting, a query cancelled by recovery) is marked down and the read runs again on the primary,
/// so the client sees no error.</item>
/// <item>Everything else runs on the primary; a successful write answers with `X-Consistency-Token`: the primary's WAL
/// insert position after its commit, which covers the commit.</item>
/// </list>
/// A malformed token is 400 on every read, replicas or not, so that a client's bug shows before a replica is added.
/// Endpoints marked <see cref="ReadsFromPrimaryAttribute"/> (the change stream) always read the primary.
/// </summary>
internal sealed class ReadRouting(
    RequestDelegate next, ReplicaSet replicas, NpgsqlDataSource primary, IOptions<DatabaseOptions> options, ILogger<ReadRouting> logger)
{
    public const string HeaderName = "X-Consistency-Token";

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api/v1"))
        {
            await next(context);
            return;
        }
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            if (replicas.Enabled) context.Response.OnStarting(AddTokenAsync, context);
            await next(context);
            return;
        }

        NpgsqlLogSequenceNumber? token = null;
        if (request.Headers.TryGetValue(HeaderName, out var sent))
        {
            if (!NpgsqlLogSequenceNumber.TryParse(sent.ToString().AsSpan().Trim(), out var parsed))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]>
                    {
                        [HeaderName] = [$"'{Truncate(sent.ToString())}' is not a consistency token: send back the {HeaderName} " +
                                        "of a write's response as it came (e.g. 0/1A2B3C4D)."],
                    })
                    {
                        Status = StatusCodes.Status400BadRequest,
                        Type = ProblemTypes.Validation,
                        Title = "Invalid consistency token",
                    },
                });
                return;
            }
            token = parsed;
        }

        if (!replicas.Enabled)
        {
            await next(context);
            return;
        }

        var replica = context.GetEndpoint()?.Metadata.GetMetadata<ReadsFromPrimaryAttribute>() is null
            ? replicas.Choose(token, TimeSpan.FromSeconds(options.Value.MaxReplicaLagSeconds))
            : null;
        if (replica is null)
        {
            ClaimTrackerMetrics.CountRead(ClaimTrackerMetrics.ReadTarget.Primary);
            await next(context);
            return;
        }

        var db = context.RequestServices.GetRequiredService<ClaimTrackerDbContext>();
        db.Database.SetDbConnection(replica.DataSource.CreateConnection(), contextOwnsConnection: true);
        try
        {
            await next(context);
            ClaimTrackerMetrics.CountRead(ClaimTrackerMetrics.ReadTarget.Replica);
        }
        catch (Exception e) when (IsReplicaFailure(e) && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            ReplicaSet.MarkDown(replica, DatabaseFailures.Find(e)?.Message ?? e.Message);
            logger.LogWarning("{Method} {Path}: replica {Replica} failed ({Reason}); read again from the primary.",
                request.Method, request.Path, replica.Name, DatabaseFailures.Find(e)?.Message);
            db.ChangeTracker.Clear();
            db.Database.SetDbConnection(primary.CreateConnection(), contextOwnsConnection: true);
            ClaimTrackerMetrics.CountRead(ClaimTrackerMetrics.ReadTarget.Primary);
            await next(context);
        }
    }

    /// <summary>
    /// The failures a replica has and the primary would not: it cannot be reached or is shutting down (what Npgsql calls
    /// transient), or recovery cancelled the query (a conflict with replayed WAL, 40001 on a standby).
    /// </summary>
    private static bool IsReplicaFailure(Exception e) => DatabaseFailures.Find(e) is { } failure
        && (failure.IsTransient || failure is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure });

    private async Task AddTokenAsync(object state)
    {
        var context = (HttpContext)state;
        if (context.Response.StatusCode is < 200 or > 299) return;
        try
        {
            // After the commit (the response starts once the handler is done): the insert position is at or past its end.
            await using var command = primary.CreateCommand("SELECT pg_current_wal_insert_lsn()");
            var lsn = (NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(context.RequestAborted))!;
            context.Response.Headers[HeaderName] = lsn.ToString();
        }
        catch (Exception e) when (DatabaseFailures.Find(e) is not null || e is OperationCanceledException)
        {
            // The write is done; without a token the client's next read may come from a replica that has not replayed it yet.
            logger.LogWarning("{Method} {Path}: no {Header} ({Reason}).", context.Request.Method, context.Request.Path, HeaderName, e.Message);
        }
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>An endpoint whose reads must see the primary (the change stream: its wake-ups come from the primary's NOTIFY).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class ReadsFromPrimaryAttribute : Attribute;

public static class ReadRoutingSetup
{
    /// <summary>The replicas, their monitor and their health; nothing runs when `ConnectionStrings:ClaimTrackerReplica` is absent.</summary>
    public static void AddClaimTrackerReplicas(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
            ReplicaSet.Create(sp.GetRequiredService<IConfiguration>().GetConnectionString(ReplicaSet.ConnectionStringName)));
        builder.Services.AddHostedService<ReplicaMonitor>();
    }

    /// <summary>After authentication (which reads the primary), before the endpoints.</summary>
    public static void UseClaimTrackerReadRouting(this WebApplication app) => app.UseMiddleware<ReadRouting>();

    /// <summary>This endpoint reads the primary even when the request could go to a replica.</summary>
    public static TBuilder ReadsFromPrimary<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ReadsFromPrimaryAttribute());
}
