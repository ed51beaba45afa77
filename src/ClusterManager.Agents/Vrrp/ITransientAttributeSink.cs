namespace ClusterManager.Agents.Vrrp;

/// <summary>
/// Where an agent publishes this node's transient attributes (Pacemaker's <c>attrd_updater -l reboot</c>): the
/// cluster daemon records them in the node's status, where rules and colocations see them, and forgets them when the
/// node leaves. Delivery is asynchronous and retried; for one name the last value wins.
/// </summary>
public interface ITransientAttributeSink
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/> on this node; null removes it.</summary>
    void SetTransientAttribute(string name, string? value);
}
