using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClaimTracker.Api.Http;

/// <summary>Writes times as ISO 8601 UTC with a `Z` (2025-01-22T00:00:00Z); reads any ISO 8601 offset.</summary>
public sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
}
