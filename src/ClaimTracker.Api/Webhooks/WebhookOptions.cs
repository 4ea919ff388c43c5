using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ClaimTracker.Api.Webhooks;

/// <summary>The `Webhooks` settings: retries, timeout, how promptly workers look, and which receivers may be addressed.</summary>
public sealed partial class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhooks";

    /// <summary>The delays before each retry, e.g. `5s, 5m, 30m, 2h` (units ms, s, m, h, d); after the last, a delivery is `failed`.</summary>
    public string RetrySchedule { get; set; } = "5s, 5m, 30m, 2h, 5h, 10h, 14h, 20h, 24h";

    [Range(typeof(TimeSpan), "00:00:00.1", "00:05:00", ErrorMessage = "Webhooks:Timeout must be from 00:00:00.1 to 00:05:00.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a worker looks for due deliveries when no notification woke it (retries fall due silently).</summary>
    [Range(typeof(TimeSpan), "00:00:00.05", "00:01:00", ErrorMessage = "Webhooks:PollInterval must be from 00:00:00.05 to 00:01:00.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Sends in flight per instance. The status fan-out takes no more changes than these slots can send (the rest wait in
    /// the chain), so at hundreds of status changes a second they set how much one pass carries.
    /// </summary>
    [Range(1, 256, ErrorMessage = "Webhooks:MaxConcurrentDeliveries must be from 1 to 256.")]
    public int MaxConcurrentDeliveries { get; set; } = 64;

    /// <summary>
    /// How long events, their deliveries and attempts stay in the outbox and the delivery log once none is pending any more
    /// (redelivery works within it). Longer than the retry schedule, so nothing pending is ever near it.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00", ErrorMessage = "Webhooks:Retention must be from 01:00:00 to 3650.00:00:00.")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Allow receivers on loopback, private, link-local and CGNAT addresses (development and tests only).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Allow `http:` receivers; otherwise `https:` only.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>The parsed <see cref="RetrySchedule"/>.</summary>
    public IReadOnlyList<TimeSpan> Retries => _retries ??= ParseSchedule(RetrySchedule) ?? [];

    private IReadOnlyList<TimeSpan>? _retries;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ParseSchedule(RetrySchedule) is null)
        {
            yield return new ValidationResult(
                $"Webhooks:RetrySchedule '{RetrySchedule}' is not a comma-separated list of durations such as '5s, 5m, 2h' (ms, s, m, h or d).",
                [nameof(RetrySchedule)]);
        }
    }

    private static List<TimeSpan>? ParseSchedule(string? text)
    {
        if (text is null) return null;
        var delays = new List<TimeSpan>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var match = Duration().Match(part);
            if (!match.Success) return null;
            var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            delays.Add(match.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            });
        }
        return delays;
    }

    [GeneratedRegex(@"^(\d{1,6}(?:\.\d{1,3})?)(ms|s|m|h|d)$")]
    private static partial Regex Duration();
}
