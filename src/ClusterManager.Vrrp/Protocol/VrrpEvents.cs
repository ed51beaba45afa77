using System.Net;
using ClusterManager.Vrrp.Packets;

namespace ClusterManager.Vrrp.Protocol;

/// <summary>RFC 5798 states plus keepalived's FAULT.</summary>
public enum VrrpState
{
    Initialize,
    Backup,
    Master,

    /// <summary>A tracked interface or unweighted check failed: no adverts, no addresses.</summary>
    Fault,
}

/// <summary>The advert field (or receive check) a peer disagrees on.</summary>
public enum VrrpMismatchField
{
    Version,
    AdvertInterval,
    AuthType,
    Password,
    AddressList,
    Ttl,
    Checksum,
    Length,
    UnicastSource,
}

/// <summary>A peer sends adverts for our VRID that disagree with our configuration.</summary>
/// <param name="Instance">Our instance name.</param>
/// <param name="Peer">The sender's address.</param>
/// <param name="Field">What disagrees.</param>
/// <param name="Expected">Our value.</param>
/// <param name="Received">The peer's value.</param>
/// <param name="Dropped">True when the advert was discarded (as keepalived would); false when it was accepted.</param>
public sealed record VrrpMismatch(string Instance, IPAddress Peer, VrrpMismatchField Field, string Expected, string Received, bool Dropped);

/// <summary>An output of the state machine, for the host to carry out in order.</summary>
public abstract record VrrpAction;

/// <summary>Send this advert (to the group or every unicast peer).</summary>
public sealed record SendAdvertisement(VrrpAdvertisement Advertisement) : VrrpAction;

/// <summary>Configure the virtual addresses.</summary>
public sealed record AddAddresses(IReadOnlyList<IPAddress> Addresses) : VrrpAction;

/// <summary>Remove the virtual addresses.</summary>
public sealed record RemoveAddresses(IReadOnlyList<IPAddress> Addresses) : VrrpAction;

/// <summary>Send <paramref name="Count"/> gratuitous ARPs (IPv4) or unsolicited NAs (IPv6) for every address.</summary>
public sealed record SendGratuitous(IReadOnlyList<IPAddress> Addresses, int Count) : VrrpAction;

/// <summary>The instance changed state.</summary>
public sealed record StateChanged(string Instance, VrrpState From, VrrpState To, byte Priority, string Reason) : VrrpAction;

/// <summary>A peer's advert disagrees with our settings (rate-limited per peer and field).</summary>
public sealed record MismatchDetected(VrrpMismatch Mismatch) : VrrpAction;

/// <summary>A received packet as the socket saw it: addresses and TTL/hop limit from the IP layer, the VRRP message.</summary>
/// <param name="Source">IP source.</param>
/// <param name="Destination">IP destination.</param>
/// <param name="Ttl">TTL / hop limit.</param>
/// <param name="Message">The VRRP message (IP payload).</param>
public sealed record ReceivedPacket(IPAddress Source, IPAddress Destination, byte Ttl, ReadOnlyMemory<byte> Message);

/// <summary>Counters in the spirit of keepalived's SIGJSON stats.</summary>
public sealed class VrrpCounters
{
    public long AdvertsReceived { get; internal set; }

    public long AdvertsSent { get; internal set; }

    public long Dropped { get; internal set; }

    public long BecameMaster { get; internal set; }

    public long PriorityZeroReceived { get; internal set; }
}
