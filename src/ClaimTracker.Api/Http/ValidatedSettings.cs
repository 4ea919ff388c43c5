using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.Http;

/// <summary>
/// Each feature's settings are one options class, bound once from its configuration section and checked at start-up by
/// its data annotations (and <see cref="IValidatableObject"/>), so that a bad setting stops the process before it serves
/// anything, with the annotation's own message, which names the setting (Program.cs logs it in one line).
/// </summary>
public static class ValidatedSettings
{
    public static OptionsBuilder<T> AddValidatedSettings<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddSingleton<IValidateOptions<T>, AnnotationsValidator<T>>();
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>What went wrong with the settings, in one line: every failure's message, or the binder's.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        OptionsValidationException invalid => string.Join(" ", invalid.Failures),
        AggregateException all when all.InnerExceptions.All(e => Describe(e) is not null) =>
            string.Join(" ", all.InnerExceptions.Select(Describe)),
        // The configuration binder: "Failed to convert configuration value 'abc' at 'Http:MaxRequestBodyBytes' to type …".
        InvalidOperationException { Source: "Microsoft.Extensions.Configuration.Binder" } binding => binding.Message,
        _ => null,
    };

    /// <summary>Validates by data annotations, failing with their messages alone (the framework's wraps each in a sentence).</summary>
    private sealed class AnnotationsValidator<T> : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            return Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(results.Select(r => r.ErrorMessage ?? $"{typeof(T).Name} is invalid."));
        }
    }
}
