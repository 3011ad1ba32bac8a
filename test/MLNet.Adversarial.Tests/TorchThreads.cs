namespace MLNet.Adversarial.Tests;

/// <summary>
/// libtorch's OpenMP pool busy-waits; on a small shared machine (2 cores and another busy process) it slowed an
/// epoch from 0.6 s to 34 s. The training tests use small batches, for which one intra-op thread is fastest anyway.
/// </summary>
internal static class TorchThreads
{
    public static void UseOne() => TorchSharp.torch.set_num_threads(1);
}
