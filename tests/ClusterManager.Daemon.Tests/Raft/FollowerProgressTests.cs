using ClusterManager.Daemon.Raft;

namespace ClusterManager.Daemon.Tests.Raft;

public sealed class FollowerProgressTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Samples one per second: (follower applied, leader applied); the result of the last sample.</summary>
    [TestCase(new long[] { 5, 5, 5, 5 }, new long[] { 9, 9, 9, 9 }, true, TestName = "Observe_Stuck_WhenBehindWithoutProgressForTheWindow")]
    [TestCase(new long[] { 5, 5, 5 }, new long[] { 9, 9, 9 }, false, TestName = "Observe_NotStuck_WhenWindowNotElapsed")]
    [TestCase(new long[] { 5, 6, 7, 8 }, new long[] { 20, 30, 40, 50 }, false, TestName = "Observe_NotStuck_WhenBehindButAdvancing")]
    [TestCase(new long[] { 9, 9, 9, 9 }, new long[] { 9, 9, 9, 9 }, false, TestName = "Observe_NotStuck_WhenCaughtUpAndIdle")]
    [TestCase(new long[] { 5, 5, 9, 9, 9 }, new long[] { 9, 9, 9, 12, 12 }, false, TestName = "Observe_NotStuck_WhenCaughtUpInBetween")]
    public void Observe_DecidesStuck(long[] follower, long[] leader, bool stuck)
    {
        var progress = new FollowerProgress(TimeSpan.FromSeconds(3));
        var result = false;
        for (var i = 0; i < follower.Length; i++)
        {
            result = progress.Observe("n2", follower[i], leader[i], T0.AddSeconds(i));
        }

        Assert.That(result, Is.EqualTo(stuck));
    }

    [Test]
    public void Observe_StartsOver_WhenReset()
    {
        var progress = new FollowerProgress(TimeSpan.FromSeconds(3));
        progress.Observe("n2", 5, 9, T0);
        progress.Reset();

        Assert.That(progress.Observe("n2", 5, 9, T0.AddSeconds(10)), Is.False);
        Assert.That(progress.Observe("n2", 5, 9, T0.AddSeconds(13)), Is.True);
    }
}
