using System.Diagnostics;
using System.Net;

namespace ClusterManager.Lab.Tests;

/// <summary>A moment at which the virtual IP was configured on more than one node.</summary>
internal sealed record DualHold(DateTimeOffset At, IReadOnlyList<string> Nodes)
{
    public override string ToString() => $"{At:HH:mm:ss.fff} on {string.Join(" and ", Nodes)}";
}

/// <summary>A node was seen to take (or give up) the address at a sweep at <paramref name="At"/>; the sweep before,
/// at <paramref name="NotBefore"/>, had not seen it yet.</summary>
internal sealed record HoldChange(string Node, bool Holds, DateTimeOffset NotBefore, DateTimeOffset At);

/// <summary>
/// The split-brain checker: samples the addresses of every node's namespace (rtnetlink, all nodes in one sweep)
/// every <see cref="Period"/> on a thread of its own, records when each node was seen holding the virtual IP, and
/// every sweep in which two or more nodes held it at once.
/// </summary>
internal sealed class VirtualIpChecker : IDisposable
{
    /// <summary>Time between two sweeps.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(20);

    private readonly IPAddress _address;
    private readonly IReadOnlyList<(string Node, NamespaceAddresses Addresses)> _nodes;
    private readonly Thread _thread;
    private readonly List<DualHold> _dual = [];
    private readonly List<HoldChange> _changes = [];
    private readonly Dictionary<string, bool> _holding = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private volatile bool _stopping;
    private long _sweeps;
    private TimeSpan _longestGap;
    private DateTimeOffset _lastSweep;
    private string? _lastError;

    private VirtualIpChecker(IPAddress address, IReadOnlyList<(string, NamespaceAddresses)> nodes)
    {
        _address = address;
        _nodes = nodes;
        _thread = new Thread(Loop) { IsBackground = true, Name = "virtual IP checker", Priority = ThreadPriority.AboveNormal };
    }

    /// <summary>Starts sampling the namespaces <c>PREFIX + node</c> for <paramref name="address"/>.</summary>
    public static VirtualIpChecker Start(IPAddress address, IEnumerable<string> nodes, string namespacePrefix)
    {
        var opened = new List<(string, NamespaceAddresses)>();
        try
        {
            foreach (var node in nodes)
            {
                opened.Add((node, NamespaceAddresses.Open(namespacePrefix + node)));
            }
        }
        catch
        {
            opened.ForEach(o => o.Item2.Dispose());
            throw;
        }

        var checker = new VirtualIpChecker(address, opened);
        checker.Sweep();
        checker._thread.Start();
        return checker;
    }

    /// <summary>Sweeps done so far.</summary>
    public long Sweeps => Interlocked.Read(ref _sweeps);

    /// <summary>The longest time between two sweeps (the checker's blind spot on a loaded machine).</summary>
    public TimeSpan LongestGap
    {
        get
        {
            lock (_gate)
            {
                return _longestGap;
            }
        }
    }

    /// <summary>The last error of a sweep (a namespace that could not be read), if any.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>A position in the record: what happens after it is asked for with <see cref="DualHoldsSince"/>.</summary>
    public int Mark()
    {
        lock (_gate)
        {
            return _dual.Count;
        }
    }

    /// <summary>Sweeps that found the virtual IP on two or more nodes since <paramref name="mark"/>.</summary>
    public IReadOnlyList<DualHold> DualHoldsSince(int mark)
    {
        lock (_gate)
        {
            return [.. _dual.Skip(mark)];
        }
    }

    /// <summary>The nodes holding the virtual IP at the last sweep.</summary>
    public IReadOnlyList<string> Holders()
    {
        lock (_gate)
        {
            return [.. _holding.Where(h => h.Value).Select(h => h.Key).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// The first time after <paramref name="after"/> that <paramref name="node"/> was seen to take the address: it
    /// happened between the change's <see cref="HoldChange.NotBefore"/> and <see cref="HoldChange.At"/>.
    /// </summary>
    public HoldChange? Taken(string node, DateTimeOffset after) => Change(node, holds: true, after);

    /// <summary>The first time after <paramref name="after"/> that <paramref name="node"/> was seen to give it up.</summary>
    public HoldChange? Released(string node, DateTimeOffset after) => Change(node, holds: false, after);

    public void Dispose()
    {
        _stopping = true;
        if (_thread.IsAlive)
        {
            _thread.Join();
        }

        foreach (var (_, addresses) in _nodes)
        {
            addresses.Dispose();
        }
    }

    private HoldChange? Change(string node, bool holds, DateTimeOffset after)
    {
        lock (_gate)
        {
            return _changes.FirstOrDefault(c => c.Node == node && c.Holds == holds && c.At > after);
        }
    }

    private void Loop()
    {
        var clock = Stopwatch.StartNew();
        var last = clock.Elapsed;
        while (!_stopping)
        {
            var next = last + Period;
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }

            var now = clock.Elapsed;
            lock (_gate)
            {
                if (now - last > _longestGap)
                {
                    _longestGap = now - last;
                }
            }

            last = now;
            Sweep();
        }
    }

    private void Sweep()
    {
        var holders = new List<string>();
        foreach (var (node, addresses) in _nodes)
        {
            try
            {
                if (addresses.Read().Contains(_address))
                {
                    holders.Add(node);
                }
            }
            catch (IOException e)
            {
                Volatile.Write(ref _lastError, e.Message);
            }
        }

        var at = DateTimeOffset.UtcNow;
        lock (_gate)
        {
            foreach (var (node, _) in _nodes)
            {
                var holds = holders.Contains(node);
                if (!_holding.TryGetValue(node, out var before) || before != holds)
                {
                    _holding[node] = holds;
                    _changes.Add(new HoldChange(node, holds, _lastSweep, at));
                }
            }

            _lastSweep = at;

            if (holders.Count > 1)
            {
                _dual.Add(new DualHold(at, holders));
            }
        }

        Interlocked.Increment(ref _sweeps);
    }
}
