using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ClaimTracker.Api.Tests.Infrastructure;

/// <summary>
/// A TCP relay between the API and PostgreSQL that a test can cut and restore, as a network failure or a database restart
/// would: <see cref="Cut"/> resets every open connection and turns new ones away; <see cref="Restore"/> relays again.
/// </summary>
public sealed class DatabaseLink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _database;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, bool> _open = new();
    private readonly Task _accepting;
    private volatile bool _cut;
    private int _refuseThenRestore;
    private int _refused;

    public DatabaseLink(IPEndPoint database)
    {
        _database = database;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Cut()
    {
        _cut = true;
        foreach (var socket in _open.Keys) Reset(socket);
    }

    public void Restore() => _cut = false;

    /// <summary>Cuts the link for the next <paramref name="connections"/> connection attempts only, then relays again.</summary>
    public void CutFor(int connections)
    {
        _refuseThenRestore = _refused + connections;
        Cut();
    }

    /// <summary>How many connection attempts the cut link has turned away.</summary>
    public int Refused => Volatile.Read(ref _refused);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (_cut)
            {
                Reset(client);
                if (Interlocked.Increment(ref _refused) == _refuseThenRestore) Restore();
            }
            else
            {
                _ = RelayAsync(client);
            }
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
        _open[client] = true;
        _open[server] = true;
        try
        {
            await server.ConnectAsync(_database, _stop.Token);
            await using var toServer = new NetworkStream(server, ownsSocket: false);
            await using var toClient = new NetworkStream(client, ownsSocket: false);
            await Task.WhenAny(toClient.CopyToAsync(toServer, _stop.Token), toServer.CopyToAsync(toClient, _stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The link was cut or one side closed: end both.
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(server, out _);
            Reset(client);
            Reset(server);
        }
    }

    /// <summary>Closes with a TCP reset, as a dropped connection looks to the side still using it.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting;
        _stop.Dispose();
    }
}
