using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.Webhooks;

public static class WebhooksSetup
{
    public static void AddClaimTrackerWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<WebhookOptions>(WebhookOptions.Section);
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddHostedService<WebhookDispatcher>();
    }
}
