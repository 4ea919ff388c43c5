namespace ClaimTracker.Api.Http;

internal static class PeriodicTimerExtensions
{
    /// <summary>Waits for the timer's next tick; false when it is disposed or the host is shutting down.</summary>
    public static async Task<bool> NextTickAsync(this PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false; // shutting down
        }
    }
}
