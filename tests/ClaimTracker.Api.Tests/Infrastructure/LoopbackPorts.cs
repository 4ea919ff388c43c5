using System.Net;
using System.Net.Sockets;

namespace ClaimTracker.Api.Tests.Infrastructure;

/// <summary>Ports on 127.0.0.1 for servers a test starts itself (receivers, HAProxy).</summary>
public static class LoopbackPorts
{
    /// <summary>A free loopback port, found by binding and releasing it.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
