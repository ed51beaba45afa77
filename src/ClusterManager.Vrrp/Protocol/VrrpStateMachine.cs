using System.Net;
using System.Security.Cryptography;
using ClusterManager.Vrrp.Packets;

namespace ClusterManager.Vrrp.Protocol;

/// <summary>
/// One VRRP virtual router (RFC 5798 §6.4, RFC 3768 §6.4) as a pure, time-injected component: no clock, sockets or
/// threads. The host feeds it received packets, timer expiries (<see cref="Tick"/> at <see cref="NextDeadline"/>) and
/// admin events, and carries out the returned <see cref="VrrpAction"/>s in order. Times are monotonic offsets.
/// Receive checks follow keepalived's <c>vrrp_check_packet()</c>; unlike keepalived, every disagreement with a peer
/// is reported as a <see cref="MismatchDetected"/> action naming the peer and the field.
/// </summary>
public sealed class VrrpStateMachine
{
    /// <summary>Minimum time between two reports of the same mismatch from the same peer.</summary>
    public static readonly TimeSpan MismatchReportInterval = TimeSpan.FromSeconds(10);

    private readonly VrrpInstanceSettings _settings;
    private readonly IPAddress _primaryAddress;
    private readonly byte[] _authData;
    private readonly HashSet<IPAddress> _ownAddresses;
    private readonly Dictionary<(IPAddress Peer, VrrpMismatchField Field), TimeSpan> _lastReport = [];
    private TimeSpan? _adverTimer;
    private TimeSpan? _masterDownTimer;
    private TimeSpan? _garpRepeatTimer;
    private TimeSpan? _preemptAt;
    private int _masterAdverIntervalCs;

    /// <summary>Creates the machine in <see cref="VrrpState.Initialize"/>.</summary>
    /// <param name="settings">Validated settings (throws <see cref="ArgumentException"/> listing the problems otherwise).</param>
    /// <param name="primaryAddress">Our primary address on the interface: advert source and equal-priority tie-break.</param>
    public VrrpStateMachine(VrrpInstanceSettings settings, IPAddress primaryAddress)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(primaryAddress);
        var errors = settings.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid VRRP instance '{settings.Name}': {string.Join("; ", errors)}", nameof(settings));
        }

        _settings = settings;
        _primaryAddress = primaryAddress;
        _ownAddresses = [primaryAddress];
        _authData = settings.AuthType == VrrpAuthType.Pass ? VrrpAdvertisement.PasswordBytes(settings.AuthPass!) : new byte[8];
        EffectivePriority = settings.Priority;
        _masterAdverIntervalCs = settings.AdvertIntervalCentiseconds;
    }

    /// <summary>Current state.</summary>
    public VrrpState State { get; private set; } = VrrpState.Initialize;

    /// <summary>Priority in use: base priority adjusted by tracking (always 255 for the owner).</summary>
    public byte EffectivePriority { get; private set; }

    /// <summary>Counters.</summary>
    public VrrpCounters Counters { get; } = new();

    /// <summary>The settings this machine runs.</summary>
    public VrrpInstanceSettings Settings => _settings;

    /// <summary>The earliest pending timer; call <see cref="Tick"/> then. Null when no timer runs.</summary>
    public TimeSpan? NextDeadline => Min(Min(_adverTimer, _masterDownTimer), _garpRepeatTimer);

    /// <summary>Skew_Time for the current priority and master interval.</summary>
    public TimeSpan SkewTime => TimeSpan.FromTicks(CsToTicks(MasterIntervalCs) * (256 - EffectivePriority) / 256);

    /// <summary>Master_Down_Interval = DownTimerAdverts × Master_Adver_Interval + Skew_Time.</summary>
    public TimeSpan MasterDownInterval => TimeSpan.FromTicks(CsToTicks(MasterIntervalCs) * _settings.DownTimerAdverts) + SkewTime;

    private int MasterIntervalCs => _settings.Version == VrrpVersion.V3 ? _masterAdverIntervalCs : _settings.AdvertIntervalCentiseconds;

    /// <summary>Startup event: the owner (priority 255) becomes master at once, anyone else backup.</summary>
    public IReadOnlyList<VrrpAction> Start(TimeSpan now)
    {
        var actions = new List<VrrpAction>();
        if (State != VrrpState.Initialize)
        {
            return actions;
        }

        _preemptAt = null;
        if (_settings.Priority == 255)
        {
            BecomeMaster(now, actions, "address owner (priority 255)");
        }
        else
        {
            _masterAdverIntervalCs = _settings.AdvertIntervalCentiseconds;
            BecomeBackup(now, actions, MasterDownInterval, "startup");
        }

        return actions;
    }

    /// <summary>Shutdown event: a master sends priority 0 and releases the addresses (graceful stop).</summary>
    public IReadOnlyList<VrrpAction> Stop(TimeSpan now)
    {
        var actions = new List<VrrpAction>();
        if (State == VrrpState.Master)
        {
            actions.Add(Advert(0));
            actions.Add(new RemoveAddresses(_settings.VirtualAddresses));
        }

        ChangeState(VrrpState.Initialize, actions, "stopped");
        ClearTimers();
        return actions;
    }

    /// <summary>Enter FAULT (tracked interface down, unweighted check failed): like stop, but remembered until <see cref="ClearFault"/>.</summary>
    public IReadOnlyList<VrrpAction> EnterFault(TimeSpan now, string reason)
    {
        var actions = new List<VrrpAction>();
        if (State == VrrpState.Fault)
        {
            return actions;
        }

        if (State == VrrpState.Master)
        {
            actions.Add(Advert(0));
            actions.Add(new RemoveAddresses(_settings.VirtualAddresses));
        }

        ClearTimers();
        ChangeState(VrrpState.Fault, actions, reason);
        return actions;
    }

    /// <summary>Leave FAULT: back to backup with a full Master_Down_Interval.</summary>
    public IReadOnlyList<VrrpAction> ClearFault(TimeSpan now)
    {
        var actions = new List<VrrpAction>();
        if (State == VrrpState.Fault)
        {
            _masterAdverIntervalCs = _settings.AdvertIntervalCentiseconds;
            BecomeBackup(now, actions, MasterDownInterval, "fault cleared");
        }

        return actions;
    }

    /// <summary>
    /// Sets the effective priority (tracking weights applied, clamped 1–254; the owner stays 255). Like keepalived, a
    /// master announces it with its next scheduled advert.
    /// </summary>
    public IReadOnlyList<VrrpAction> SetEffectivePriority(int priority, TimeSpan now)
    {
        EffectivePriority = _settings.Priority == 255 ? (byte)255 : (byte)Math.Clamp(priority, 1, 254);
        return [];
    }

    /// <summary>Timer expiry: processes every timer due at <paramref name="now"/>.</summary>
    public IReadOnlyList<VrrpAction> Tick(TimeSpan now)
    {
        var actions = new List<VrrpAction>();
        if (State == VrrpState.Backup && _masterDownTimer <= now)
        {
            BecomeMaster(now, actions, "master down timer expired");
            return actions;
        }

        if (State == VrrpState.Master)
        {
            if (_adverTimer <= now)
            {
                actions.Add(Advert(EffectivePriority));
                _adverTimer = now + _settings.AdvertInterval;
            }

            if (_garpRepeatTimer <= now)
            {
                _garpRepeatTimer = null;
                if (_settings.GarpMasterRepeat > 0)
                {
                    actions.Add(new SendGratuitous(_settings.VirtualAddresses, _settings.GarpMasterRepeat));
                }
            }
        }

        return actions;
    }

    /// <summary>A packet arrived on the VRRP socket: receive checks, then RFC 5798 §6.4.2/§6.4.3 processing.</summary>
    public IReadOnlyList<VrrpAction> Receive(ReceivedPacket packet, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var actions = new List<VrrpAction>();
        var message = packet.Message.Span;
        if (message.Length < 2 || message[1] != _settings.VirtualRouterId || _ownAddresses.Contains(packet.Source))
        {
            return actions; // another VRID on the segment, or our own packet looped back
        }

        var advert = Check(packet, now, actions);
        if (advert is null)
        {
            Counters.Dropped++;
            return actions;
        }

        Counters.AdvertsReceived++;
        switch (State)
        {
            case VrrpState.Backup:
                ReceiveAsBackup(advert, now, actions);
                break;
            case VrrpState.Master:
                ReceiveAsMaster(advert, packet.Source, now, actions);
                break;
            default:
                break;
        }

        return actions;
    }

    private void ReceiveAsBackup(VrrpAdvertisement advert, TimeSpan now, List<VrrpAction> actions)
    {
        if (advert.Priority == 0)
        {
            Counters.PriorityZeroReceived++;
            _masterDownTimer = now + SkewTime;
            return;
        }

        var delay = _settings.PreemptDelay;
        if (delay > TimeSpan.Zero)
        {
            if (advert.Priority > EffectivePriority || (advert.Priority < EffectivePriority && _preemptAt is null))
            {
                _preemptAt = now + delay;
            }
        }

        var accept = !_settings.Preempt
            || advert.Priority >= EffectivePriority
            || (delay > TimeSpan.Zero && (_preemptAt is null || _preemptAt > now));
        if (accept)
        {
            if (_settings.Version == VrrpVersion.V3)
            {
                _masterAdverIntervalCs = advert.AdvertIntervalCentiseconds;
            }

            _masterDownTimer = now + MasterDownInterval;
        }

        // else: a lower-priority master and we preempt: discard, let the down timer run out.
    }

    private void ReceiveAsMaster(VrrpAdvertisement advert, IPAddress source, TimeSpan now, List<VrrpAction> actions)
    {
        if (advert.Priority == 0)
        {
            Counters.PriorityZeroReceived++;
            actions.Add(Advert(EffectivePriority));
            _adverTimer = now + _settings.AdvertInterval;
            return;
        }

        if (advert.Priority > EffectivePriority || (advert.Priority == EffectivePriority && CompareAddresses(source, _primaryAddress) > 0))
        {
            if (_settings.Version == VrrpVersion.V3)
            {
                _masterAdverIntervalCs = advert.AdvertIntervalCentiseconds;
            }

            _adverTimer = null;
            _garpRepeatTimer = null;
            actions.Add(new RemoveAddresses(_settings.VirtualAddresses));
            BecomeBackup(now, actions, MasterDownInterval, $"higher priority {advert.Priority} advert from {source}");
            return;
        }

        // A lower-priority master (split brain healing): reassert at once and re-announce the addresses (keepalived).
        actions.Add(Advert(EffectivePriority));
        _adverTimer = now + _settings.AdvertInterval;
        if (_settings.GarpMasterRepeat > 0)
        {
            actions.Add(new SendGratuitous(_settings.VirtualAddresses, _settings.GarpMasterRepeat));
            _garpRepeatTimer = _settings.GarpMasterDelay > TimeSpan.Zero ? now + _settings.GarpMasterDelay : null;
        }
    }

    private VrrpAdvertisement? Check(ReceivedPacket packet, TimeSpan now, List<VrrpAction> actions)
    {
        var peer = packet.Source;
        if (_settings.IsMulticast && packet.Ttl != 255)
        {
            Report(actions, now, peer, VrrpMismatchField.Ttl, "255", packet.Ttl.ToString(System.Globalization.CultureInfo.InvariantCulture), true);
            return null;
        }

        if (!_settings.IsMulticast && !_settings.UnicastPeers.Contains(peer))
        {
            Report(actions, now, peer, VrrpMismatchField.UnicastSource, string.Join(",", _settings.UnicastPeers), peer.ToString(), true);
            return null;
        }

        var message = packet.Message.Span;
        var version = message[0] >> 4;
        if (version != (int)_settings.Version)
        {
            Report(actions, now, peer, VrrpMismatchField.Version, ((int)_settings.Version).ToString(System.Globalization.CultureInfo.InvariantCulture), version.ToString(System.Globalization.CultureInfo.InvariantCulture), true);
            return null;
        }

        var decoded = VrrpCodec.Decode(message, packet.Source, packet.Destination);
        if (!decoded.Success)
        {
            var field = decoded.Error == VrrpDecodeError.BadChecksum ? VrrpMismatchField.Checksum : VrrpMismatchField.Length;
            if (decoded.Error == VrrpDecodeError.LengthMismatch && message.Length >= 4 && message[3] != _settings.VirtualAddresses.Count)
            {
                Report(actions, now, peer, VrrpMismatchField.AddressList, FormatAddresses(_settings.VirtualAddresses), $"{message[3]} addresses", true);
            }
            else
            {
                Report(actions, now, peer, field, "valid", decoded.Detail, true);
            }

            return null;
        }

        var advert = decoded.Advertisement!;
        if (_settings.Version == VrrpVersion.V2)
        {
            if (advert.AuthType != _settings.AuthType)
            {
                Report(actions, now, peer, VrrpMismatchField.AuthType, _settings.AuthType.ToString(), advert.AuthType.ToString(), true);
                return null;
            }

            if (advert.AuthType == VrrpAuthType.Pass && !CryptographicOperations.FixedTimeEquals(advert.AuthData.Span, _authData))
            {
                Report(actions, now, peer, VrrpMismatchField.Password, "(configured auth_pass)", "(a different password)", true);
                return null;
            }

            if (advert.AdvertIntervalCentiseconds != _settings.AdvertIntervalCentiseconds)
            {
                Report(actions, now, peer, VrrpMismatchField.AdvertInterval, FormatInterval(_settings.AdvertIntervalCentiseconds), FormatInterval(advert.AdvertIntervalCentiseconds), true);
                return null;
            }
        }
        else if (advert.AdvertIntervalCentiseconds != _settings.AdvertIntervalCentiseconds && advert.Priority != 0)
        {
            // RFC 5798: a v3 backup adopts the master's interval, so the advert is accepted; the difference is still reported.
            Report(actions, now, peer, VrrpMismatchField.AdvertInterval, FormatInterval(_settings.AdvertIntervalCentiseconds), FormatInterval(advert.AdvertIntervalCentiseconds), false);
        }

        if (advert.Addresses.Count != _settings.VirtualAddresses.Count || !_settings.VirtualAddresses.All(advert.Addresses.Contains))
        {
            Report(actions, now, peer, VrrpMismatchField.AddressList, FormatAddresses(_settings.VirtualAddresses), FormatAddresses(advert.Addresses), true);
            return null;
        }

        return advert;
    }

    private void Report(List<VrrpAction> actions, TimeSpan now, IPAddress peer, VrrpMismatchField field, string expected, string received, bool dropped)
    {
        if (_lastReport.TryGetValue((peer, field), out var last) && now - last < MismatchReportInterval)
        {
            return;
        }

        _lastReport[(peer, field)] = now;
        actions.Add(new MismatchDetected(new VrrpMismatch(_settings.Name, peer, field, expected, received, dropped)));
    }

    private void BecomeMaster(TimeSpan now, List<VrrpAction> actions, string reason)
    {
        _masterDownTimer = null;
        actions.Add(Advert(EffectivePriority));
        actions.Add(new AddAddresses(_settings.VirtualAddresses));
        if (_settings.GarpMasterRepeat > 0)
        {
            actions.Add(new SendGratuitous(_settings.VirtualAddresses, _settings.GarpMasterRepeat));
        }

        _adverTimer = now + _settings.AdvertInterval;
        _garpRepeatTimer = _settings.GarpMasterDelay > TimeSpan.Zero && _settings.GarpMasterRepeat > 0 ? now + _settings.GarpMasterDelay : null;
        Counters.BecameMaster++;
        ChangeState(VrrpState.Master, actions, reason);
    }

    private void BecomeBackup(TimeSpan now, List<VrrpAction> actions, TimeSpan downInterval, string reason)
    {
        _masterDownTimer = now + downInterval;
        ChangeState(VrrpState.Backup, actions, reason);
    }

    private void ChangeState(VrrpState to, List<VrrpAction> actions, string reason)
    {
        if (State == to)
        {
            return;
        }

        actions.Add(new StateChanged(_settings.Name, State, to, EffectivePriority, reason));
        State = to;
    }

    private void ClearTimers()
    {
        _adverTimer = null;
        _masterDownTimer = null;
        _garpRepeatTimer = null;
    }

    private SendAdvertisement Advert(byte priority)
    {
        Counters.AdvertsSent++;
        return new SendAdvertisement(new VrrpAdvertisement(
            _settings.Version,
            _settings.VirtualRouterId,
            priority,
            _settings.AdvertIntervalCentiseconds,
            _settings.VirtualAddresses,
            _settings.AuthType,
            _settings.Version == VrrpVersion.V2 ? _authData : ReadOnlyMemory<byte>.Empty));
    }

    private static long CsToTicks(int centiseconds) => centiseconds * TimeSpan.TicksPerMillisecond * 10;

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static int CompareAddresses(IPAddress a, IPAddress b) => a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes());

    private static string FormatAddresses(IEnumerable<IPAddress> addresses) => "[" + string.Join(",", addresses) + "]";

    private static string FormatInterval(int centiseconds) => (centiseconds / 100.0).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "s";
}
