using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using ClusterManager.Vrrp.Configuration;
using ClusterManager.Vrrp.Packets;
using ClusterManager.Vrrp.Protocol;
using Microsoft.Extensions.Logging;

namespace ClusterManager.Vrrp.Host;

/// <summary>
/// Runs one <see cref="VrrpStateMachine"/> against the real network: raw protocol-112 sockets, <c>ip</c> for the
/// addresses, AF_PACKET for gratuitous ARP, track scripts/interfaces and notify scripts. All machine calls happen on
/// the single loop in <see cref="RunAsync"/>; other tasks only post events to its channel.
/// </summary>
internal sealed class InstanceRunner
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    private readonly VrrpInstanceConfig _config;
    private readonly IReadOnlyList<VrrpTrackScriptConfig> _scripts;
    private readonly string? _stateDirectory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _origin;
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, int> _failedWeights = [];
    private readonly HashSet<string> _faults = [];
    private readonly Dictionary<(string Peer, VrrpMismatchField Field), VrrpMismatchLine> _mismatches = [];
    private readonly IReadOnlyList<(IPAddress Address, int PrefixLength)> _addresses;
    private VrrpStateMachine? _machine;
    private InterfaceInfo? _interface;
    private Socket? _tx;
    private Socket? _arp;
    private readonly RtNetlink _netlink = new();
    private Task _notifyChain = Task.CompletedTask;
    private string _sendDevice = string.Empty;
    private int _sendIndex;
    private byte[] _sendMac = [];

    public InstanceRunner(VrrpInstanceConfig config, IReadOnlyList<VrrpTrackScriptConfig> scripts, string? stateDirectory, TimeProvider time, ILogger logger)
    {
        _config = config;
        _scripts = scripts.Where(s => config.TrackScripts.Contains(s.Name)).ToList();
        _stateDirectory = stateDirectory;
        _time = time;
        _logger = logger;
        _origin = time.GetTimestamp();
        _addresses = config.ParsedAddresses();
    }

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var settings = _config.ToSettings();
        var source = _config.UnicastSrcIp is null ? null : IPAddress.Parse(_config.UnicastSrcIp);
        _interface = InterfaceInfo.Resolve(_config.Interface, source, settings.VirtualAddresses);
        _machine = new VrrpStateMachine(settings, _interface.PrimaryAddress);

        if (_stateDirectory is not null && Directory.Exists(_stateDirectory))
        {
            // A predecessor's mismatches are not this run's.
            File.Delete(Path.Combine(_stateDirectory, _config.Name + VrrpMismatchFile.Extension));
        }

        // A crashed predecessor leaves the addresses configured and the kernel keeps answering ARP for them.
        (_sendDevice, _sendIndex, _sendMac) = (_interface.Name, _interface.Index, _interface.Mac);
        await ChangeAddressesAsync("del", cancellationToken).ConfigureAwait(false);
        if (_config.UseVmac)
        {
            await SetUpVmacAsync(cancellationToken).ConfigureAwait(false);
        }

        using var rx = OpenReceiveSocket(settings);
        using var tx = OpenSendSocket(settings);
        using var arp = Native.PacketSocket(0x0806);
        _tx = tx;
        _arp = arp;
        Log.Started(_logger, _config.Name, _interface.Name, _interface.PrimaryAddress, settings.VirtualRouterId, settings.Priority, (int)settings.Version, settings.AdvertInterval);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var background = new List<Task> { ReceiveLoopAsync(rx, stop.Token) };
        background.AddRange(_scripts.Select(s => TrackScriptLoopAsync(s, stop.Token)));
        if (_config.TrackInterfaces.Count > 0)
        {
            background.Add(TrackInterfacesLoopAsync(stop.Token));
        }

        try
        {
            await ExecuteAsync(_machine.Start(Now), CancellationToken.None).ConfigureAwait(false);
            await MainLoopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // SIGTERM/SIGINT: fall through to the graceful stop.
        }
        finally
        {
            // Graceful stop: priority 0 and release the addresses, even when cancellation got us here.
            await ExecuteAsync(_machine.Stop(Now), CancellationToken.None).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            rx.Close();
            await Task.WhenAll(background.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
            _netlink.Dispose();
            if (_config.UseVmac)
            {
                await Processes.RunAsync("ip", ["link", "del", VmacName], null, CommandTimeout, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task MainLoopAsync(CancellationToken cancellationToken)
    {
        var machine = _machine!;
        var reader = _events.Reader;
        while (!cancellationToken.IsCancellationRequested)
        {
            var deadline = machine.NextDeadline;
            var delay = deadline is null ? Timeout.InfiniteTimeSpan : deadline.Value - Now;
            if (delay == Timeout.InfiniteTimeSpan || delay > TimeSpan.Zero)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (delay != Timeout.InfiniteTimeSpan)
                {
                    wait.CancelAfter(delay);
                }

                try
                {
                    await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }

            while (reader.TryRead(out var item))
            {
                var actions = item switch
                {
                    ReceivedPacket packet => machine.Receive(packet, Now),
                    Func<VrrpStateMachine, TimeSpan, IReadOnlyList<VrrpAction>> admin => admin(machine, Now),
                    _ => [],
                };
                await ExecuteAsync(actions, CancellationToken.None).ConfigureAwait(false);
            }

            if (machine.NextDeadline <= Now)
            {
                await ExecuteAsync(machine.Tick(Now), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task ExecuteAsync(IReadOnlyList<VrrpAction> actions, CancellationToken cancellationToken)
    {
        foreach (var action in actions)
        {
            Log.Action(_logger, _config.Name, action);
            switch (action)
            {
                case SendAdvertisement send:
                    SendAdvert(send.Advertisement);
                    break;
                case AddAddresses:
                    await ChangeAddressesAsync("add", cancellationToken).ConfigureAwait(false);
                    break;
                case RemoveAddresses:
                    await ChangeAddressesAsync("del", cancellationToken).ConfigureAwait(false);
                    break;
                case SendGratuitous garp:
                    SendGratuitousArps(garp);
                    break;
                case StateChanged changed:
                    Log.StateChanged(_logger, changed.Instance, changed.From, changed.To, changed.Priority, changed.Reason);
                    OnStateChanged(changed);
                    break;
                case MismatchDetected mismatch:
                    var m = mismatch.Mismatch;
                    Log.Mismatch(_logger, m.Instance, m.Peer, m.Field, m.Expected, m.Received, m.Dropped ? "advert dropped" : "advert accepted");
                    RecordMismatch(m);
                    break;
                default:
                    break;
            }
        }
    }

    private void SendAdvert(VrrpAdvertisement advert)
    {
        var source = _interface!.PrimaryAddress;
        var destinations = _config.UnicastPeers.Count == 0 ? [VrrpAddresses.MulticastV4] : _config.UnicastPeers.Select(IPAddress.Parse).ToList();
        foreach (var destination in destinations)
        {
            try
            {
                _tx!.SendTo(VrrpCodec.Encode(advert, source, destination), new IPEndPoint(destination, 0));
            }
            catch (SocketException ex)
            {
                Log.SendFailed(_logger, _config.Name, $"advert to {destination}: {ex.Message}");
            }
        }
    }

    private void SendGratuitousArps(SendGratuitous garp)
    {
        for (var i = 0; i < garp.Count; i++)
        {
            foreach (var address in garp.Addresses)
            {
                try
                {
                    Native.SendFrame(_arp!, _sendIndex, Frames.GratuitousArp(_sendMac, address), 0x0806);
                }
                catch (SocketException ex)
                {
                    Log.SendFailed(_logger, _config.Name, $"gratuitous ARP for {address}: {ex.Message}");
                }
            }
        }
    }

    private Task ChangeAddressesAsync(string verb, CancellationToken cancellationToken)
    {
        foreach (var (address, prefixLength) in _addresses)
        {
            var errno = verb == "add"
                ? _netlink.Add(_sendIndex, address, prefixLength)
                : _netlink.Remove(_sendIndex, address, prefixLength);
            if (errno != 0)
            {
                Log.CommandFailed(_logger, _config.Name, $"address {verb} {address}/{prefixLength} dev {_config.Interface}", $"errno {errno}");
            }
        }

        return Task.CompletedTask;
    }

    private void OnStateChanged(StateChanged changed)
    {
        var name = changed.To switch
        {
            VrrpState.Master => "MASTER",
            VrrpState.Backup => "BACKUP",
            VrrpState.Fault => "FAULT",
            _ => "STOP",
        };
        if (_stateDirectory is not null)
        {
            Directory.CreateDirectory(_stateDirectory);
            var path = Path.Combine(_stateDirectory, _config.Name + ".state");
            File.WriteAllText(path + ".tmp", name + "\n");
            File.Move(path + ".tmp", path, overwrite: true);
        }

        var specific = changed.To switch
        {
            VrrpState.Master => _config.NotifyMaster,
            VrrpState.Backup => _config.NotifyBackup,
            VrrpState.Fault => _config.NotifyFault,
            _ => _config.NotifyStop,
        };
        var commands = new List<string>();
        if (specific is not null)
        {
            commands.Add(specific);
        }

        if (_config.Notify is not null)
        {
            commands.Add(string.Create(CultureInfo.InvariantCulture, $"{_config.Notify} INSTANCE {_config.Name} {name} {changed.Priority}"));
        }

        // keepalived runs notify scripts in order, without waiting in the VRRP loop; chain them to keep their order.
        if (commands.Count > 0)
        {
            _notifyChain = _notifyChain.ContinueWith(
                async _ =>
                {
                    foreach (var command in commands)
                    {
                        var (exitCode, error) = await Processes.ShellAsync(command, CommandTimeout, CancellationToken.None).ConfigureAwait(false);
                        if (exitCode != 0)
                        {
                            Log.CommandFailed(_logger, _config.Name, command, $"exit {exitCode} {error}");
                        }
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>
    /// Keeps <c>&lt;instance&gt;.mismatch</c> in the state directory: one line per peer and field last reported
    /// (<see cref="VrrpMismatchFile"/>), for the resource agent to publish to the cluster. The state machine reports a
    /// continuing mismatch every 10 s, so a reader treats lines older than that as resolved.
    /// </summary>
    private void RecordMismatch(VrrpMismatch mismatch)
    {
        _mismatches[(mismatch.Peer.ToString(), mismatch.Field)] = new VrrpMismatchLine(
            mismatch.Peer.ToString(), mismatch.Field, mismatch.Expected, mismatch.Received, _time.GetUtcNow());
        if (_stateDirectory is not null)
        {
            VrrpMismatchFile.Write(Path.Combine(_stateDirectory, _config.Name + VrrpMismatchFile.Extension), _mismatches.Values);
        }
    }

    /// <summary>Waits for notify scripts still running (called before exit).</summary>
    public Task DrainNotificationsAsync() => _notifyChain;

    private async Task ReceiveLoopAsync(Socket rx, CancellationToken cancellationToken)
    {
        var buffer = new byte[65536];
        while (!cancellationToken.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await rx.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var header = Frames.ParseIpv4(buffer.AsSpan(0, length));
            if (header is null || header.Protocol != VrrpCodec.IpProtocol || header.TotalLength > length)
            {
                continue;
            }

            var message = buffer.AsSpan(header.HeaderLength, header.TotalLength - header.HeaderLength).ToArray();
            _events.Writer.TryWrite(new ReceivedPacket(header.Source, header.Destination, header.Ttl, message));
        }
    }

    private async Task TrackScriptLoopAsync(VrrpTrackScriptConfig script, CancellationToken cancellationToken)
    {
        var failed = false;
        var successes = 0;
        var failures = 0;
        var interval = TimeSpan.FromSeconds(script.Interval);
        var timeout = script.Timeout > 0 ? TimeSpan.FromSeconds(script.Timeout) : interval;
        while (!cancellationToken.IsCancellationRequested)
        {
            int exitCode;
            try
            {
                (exitCode, _) = await Processes.ShellAsync(script.Script, timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (exitCode == 0)
            {
                successes++;
                failures = 0;
            }
            else
            {
                failures++;
                successes = 0;
            }

            var changed = (!failed && failures >= script.Fall) || (failed && successes >= script.Rise);
            if (changed)
            {
                failed = !failed;
                _events.Writer.TryWrite(new Func<VrrpStateMachine, TimeSpan, IReadOnlyList<VrrpAction>>((m, now) => OnTrackChanged(m, now, "script:" + script.Name, failed, script.Weight)));
            }

            try
            {
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task TrackInterfacesLoopAsync(CancellationToken cancellationToken)
    {
        var down = new HashSet<string>();
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var name in _config.TrackInterfaces)
            {
                var isDown = !InterfaceInfo.IsUp(name);
                if (isDown != down.Contains(name))
                {
                    if (isDown)
                    {
                        down.Add(name);
                    }
                    else
                    {
                        down.Remove(name);
                    }

                    Log.TrackInterface(_logger, _config.Name, name, isDown ? "down" : "up");
                    _events.Writer.TryWrite(new Func<VrrpStateMachine, TimeSpan, IReadOnlyList<VrrpAction>>((m, now) => OnTrackChanged(m, now, "interface:" + name, isDown, 0)));
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private IReadOnlyList<VrrpAction> OnTrackChanged(VrrpStateMachine machine, TimeSpan now, string key, bool failed, int weight)
    {
        var actions = new List<VrrpAction>();
        if (weight == 0)
        {
            var wasFault = _faults.Count > 0;
            if (failed)
            {
                _faults.Add(key);
            }
            else
            {
                _faults.Remove(key);
            }

            if (!wasFault && _faults.Count > 0)
            {
                actions.AddRange(machine.EnterFault(now, $"{key} failed"));
            }
            else if (wasFault && _faults.Count == 0)
            {
                actions.AddRange(machine.ClearFault(now));
            }
        }
        else
        {
            // keepalived: a negative weight applies while failing, a positive one while healthy.
            _failedWeights[key] = (weight < 0) == failed ? weight : 0;
            var priority = _config.Priority + _failedWeights.Values.Sum();
            actions.AddRange(machine.SetEffectivePriority(priority, now));
        }

        Log.TrackScript(_logger, _config.Name, key, failed ? "failed" : "ok", machine.EffectivePriority);
        return actions;
    }

    private string VmacName => string.Create(CultureInfo.InvariantCulture, $"vrrp.{_config.Vrid}");

    /// <summary>
    /// keepalived's use_vmac: macvlan vrrp.VRID (private mode) with the RFC virtual MAC carries the addresses, adverts
    /// and gratuitous ARPs. arp_ignore=1 on the base interface stops it from answering ARP for the virtual addresses
    /// with its own MAC.
    /// </summary>
    private async Task SetUpVmacAsync(CancellationToken cancellationToken)
    {
        var mac = VrrpAddresses.VirtualMac((byte)_config.Vrid);
        var macText = string.Join(':', mac.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        await Processes.RunAsync("ip", ["link", "del", VmacName], null, CommandTimeout, cancellationToken).ConfigureAwait(false);
        foreach (var command in new[]
        {
            new[] { "link", "add", "link", _config.Interface, "name", VmacName, "address", macText, "type", "macvlan", "mode", "private" },
            ["link", "set", VmacName, "up"],
        })
        {
            var (exitCode, error) = await Processes.RunAsync("ip", command, null, CommandTimeout, cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"instance '{_config.Name}': ip {string.Join(' ', command)} failed: {error}");
            }
        }

        await File.WriteAllTextAsync($"/proc/sys/net/ipv4/conf/{_config.Interface}/arp_ignore", "1", cancellationToken).ConfigureAwait(false);
        // ...and arp_announce=2 stops its own ARP requests from using a virtual address as sender (peers would learn
        // the virtual address at the base MAC from them).
        await File.WriteAllTextAsync($"/proc/sys/net/ipv4/conf/{_config.Interface}/arp_announce", "2", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync($"/proc/sys/net/ipv4/conf/{VmacName}/arp_ignore", "1", cancellationToken).ConfigureAwait(false);
        var index = int.Parse((await File.ReadAllTextAsync($"/sys/class/net/{VmacName}/ifindex", cancellationToken).ConfigureAwait(false)).Trim(), CultureInfo.InvariantCulture);
        (_sendDevice, _sendIndex, _sendMac) = (VmacName, index, mac);
    }

    private Socket OpenReceiveSocket(VrrpInstanceSettings settings)
    {
        var socket = Native.RawIpv4Socket(VrrpCodec.IpProtocol);
        BindToDevice(socket, _config.Interface);
        socket.ReceiveBufferSize = 1 << 20;
        if (settings.IsMulticast)
        {
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(VrrpAddresses.MulticastV4, _interface!.Index));
        }

        return socket;
    }

    private Socket OpenSendSocket(VrrpInstanceSettings settings)
    {
        var socket = Native.RawIpv4Socket(VrrpCodec.IpProtocol);
        BindToDevice(socket, _sendDevice);
        socket.Bind(new IPEndPoint(_interface!.PrimaryAddress, 0));
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.IpTimeToLive, 255);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.TypeOfService, (int)Frames.NetworkControlTos);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(_sendIndex));
        // Every protocol-112 raw socket gets a copy of incoming adverts; keep this one's queue small.
        socket.ReceiveBufferSize = 4096;
        return socket;
    }

    private static void BindToDevice(Socket socket, string device)
    {
        var name = System.Text.Encoding.ASCII.GetBytes(device + "\0");
        socket.SetRawSocketOption(1 /* SOL_SOCKET */, 25 /* SO_BINDTODEVICE */, name);
    }
}
