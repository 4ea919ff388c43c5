using ClaimTracker.Api.Http;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ClaimTracker.Api.Data;

/// <summary>Stores an enum as its lower_snake contract word.</summary>
public sealed class EnumWordConverter<T>() : ValueConverter<T, string>(
    value => EnumWords.ToWord(value),
    word => EnumWords.Parse<T>(word))
    where T : struct, Enum;
