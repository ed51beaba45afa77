using ClusterManager.Agents.Vrrp;

namespace ClusterManager.Vrrp.Tests.Agent;

/// <summary>The attribute channel as the tests see it: the latest value of each attribute, and every change in order.</summary>
internal sealed class RecordingAttributeSink : ITransientAttributeSink
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, string?> _latest = new(StringComparer.Ordinal);
    private readonly List<(string Name, string? Value)> _changes = [];

    public void SetTransientAttribute(string name, string? value)
    {
        lock (_sync)
        {
            _latest[name] = value;
            _changes.Add((name, value));
        }
    }

    /// <summary>The current value (null when unset or never set).</summary>
    public string? Get(string name)
    {
        lock (_sync)
        {
            return _latest.GetValueOrDefault(name);
        }
    }

    /// <summary>Every value <paramref name="name"/> was set to, in order.</summary>
    public IReadOnlyList<string?> History(string name)
    {
        lock (_sync)
        {
            return [.. _changes.Where(c => c.Name == name).Select(c => c.Value)];
        }
    }
}
