using Npgsql;

namespace ClaimTracker.Api.Data;

/// <summary>
/// A background worker's LISTEN connection: its own (unpooled, with a keepalive so that a silently dropped connection
/// fails the wait instead of hanging it), reconnected 5 s after a failure. The worker's poll covers the gap: a lost
/// notification only delays work, so `onListening` runs after each (re)connection for whatever was sent
/// while nobody listened.
/// </summary>
public static class DatabaseNotifications
{
    public static async Task ListenAsync(
        DatabaseEndpoint database, string worker, IReadOnlyList<string> channels, NotificationEventHandler onNotification,
        Action onListening, ILogger logger, TimeProvider clock, CancellationToken stoppingToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Pooling = false, ApplicationName = $"ClaimTracker {worker}", KeepAlive = 30,
        }.ConnectionString;
        var listen = string.Join("; ", channels.Select(c => $"LISTEN {c}"));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += onNotification;
                await connection.OpenAsync(stoppingToken);
                await using (var command = new NpgsqlCommand(listen, connection)) await command.ExecuteNonQueryAsync(stoppingToken);
                onListening();
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("The {Worker} lost its LISTEN connection ({Reason}); reconnecting in 5 s.", worker, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
