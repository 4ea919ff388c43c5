using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace ClaimTracker.Benchmarks.Measure;

/// <summary>One SQL command as EF Core sent it: the text and its parameters with their values and types.</summary>
public sealed record CapturedCommand(string Text, IReadOnlyList<CapturedParameter> Parameters)
{
    /// <summary>The command again, as EF Core sends it (named parameters), with values replaced where <paramref name="value"/> gives one.</summary>
    public NpgsqlCommand ToCommand(NpgsqlConnection connection, NpgsqlTransaction? transaction = null, Func<CapturedParameter, object?>? value = null)
    {
        var command = new NpgsqlCommand(Text, connection, transaction);
        foreach (var p in Parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(p.Name, p.Type) { Value = value?.Invoke(p) ?? p.Value ?? DBNull.Value });
        }
        return command;
    }
}

public sealed record CapturedParameter(string Name, NpgsqlDbType Type, object? Value);

/// <summary>
/// Records the commands EF Core executes in this process (DiagnosticListener "Microsoft.EntityFrameworkCore"), with
/// transaction boundaries as BEGIN/COMMIT markers: the exact SQL of an endpoint, taken from the real code path.
/// Only commands on <c>database</c>, sent from the recorded call's own flow, are kept: other code in the process (other
/// tests, the API's background services such as the webhook worker's poll) must not leak into the capture. The flow
/// reaches the request's handler because <see cref="InProcessApi"/>'s test server preserves the execution context.
/// </summary>
public sealed class SqlCapture(string database) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private readonly List<CapturedCommand> _commands = [];
    private readonly Lock _lock = new();
    private bool _recording;
    private readonly AsyncLocal<bool> _inRecordedFlow = new();

    public void Start() => _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));

    /// <summary>Runs <paramref name="action"/> and returns every command EF Core sent meanwhile.</summary>
    public async Task<IReadOnlyList<CapturedCommand>> RecordAsync(Func<Task> action)
    {
        lock (_lock)
        {
            _commands.Clear();
            _recording = true;
        }
        try
        {
            _inRecordedFlow.Value = true;
            await action();
        }
        finally
        {
            lock (_lock) _recording = false;
        }
        lock (_lock) return [.. _commands];
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name) _subscriptions.Add(listener.Subscribe(this));
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> e)
    {
        CapturedCommand? captured = e.Value switch
        {
            CommandEventData data when e.Key == RelationalEventId.CommandExecuting.Name && Ours(data.Command.Connection)
                => Capture(data.Command),
            TransactionEventData data when e.Key == RelationalEventId.TransactionStarted.Name && Ours(data.Transaction.Connection)
                => new CapturedCommand("BEGIN", []),
            TransactionEndEventData data when e.Key == RelationalEventId.TransactionCommitted.Name && Ours(data.Transaction.Connection)
                => new CapturedCommand("COMMIT", []),
            _ => null,
        };
        if (captured is null || !_inRecordedFlow.Value) return;
        lock (_lock)
        {
            if (_recording) _commands.Add(captured);
        }
    }

    private bool Ours(DbConnection? connection) =>
        connection is null || new NpgsqlConnectionStringBuilder(connection.ConnectionString).Database == database;

    private static CapturedCommand Capture(DbCommand command) => new(command.CommandText,
        [.. command.Parameters.Cast<NpgsqlParameter>().Select(p => new CapturedParameter(p.ParameterName, p.NpgsqlDbType, p.Value))]);

    void IObserver<DiagnosticListener>.OnCompleted() { }
    void IObserver<DiagnosticListener>.OnError(Exception error) { }
    void IObserver<KeyValuePair<string, object?>>.OnCompleted() { }
    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error) { }

    public void Dispose()
    {
        foreach (var s in _subscriptions) s.Dispose();
    }
}
