using System.Net;
using System.Net.Sockets;

namespace ClaimTracker.Api.Webhooks;

/// <summary>
/// The SSRF guard: receivers must be public addresses. Checked on the URL when a subscription is written (a literal address,
/// or `localhost`), and on every connection after DNS resolution (<see cref="ConnectAsync"/>), so that a name that resolves,
/// or later re-resolves, to an internal address is refused too. `Webhooks:AllowPrivateNetworks` turns it off.
/// </summary>
public static class WebhookAddresses
{
    private static readonly IPNetwork[] NonPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network", the unspecified address
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),    // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, cloud metadata (169.254.169.254)
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("224.0.0.0/3"),      // multicast, reserved, broadcast
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("fc00::/7"),         // unique local
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    /// <summary>True for an address a webhook may be sent to.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return !NonPublic.Any(network => network.Contains(address));
    }

    /// <summary>Why the host cannot receive webhooks, judged without DNS; null when it may (its addresses are checked at delivery).</summary>
    public static string? RefuseHost(Uri url)
    {
        var host = url.IdnHost;
        if (IPAddress.TryParse(host, out var address))
        {
            return IsPublic(address) ? null : $"{address} is not a public address (loopback, private, link-local or reserved).";
        }
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            ? $"{host} is the loopback interface."
            : null;
    }

    /// <summary>
    /// Connects to the first public address of the request's host (every address when <paramref name="allowPrivate"/>);
    /// fails with <see cref="RefusedAddressException"/> when it has none.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = allowPrivate ? addresses : addresses.Where(IsPublic).ToArray();
        if (allowed.Length == 0)
        {
            throw new RefusedAddressException($"{host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}: not a public address.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A receiver's host resolved only to addresses the SSRF guard refuses.</summary>
public sealed class RefusedAddressException(string message) : Exception(message);
