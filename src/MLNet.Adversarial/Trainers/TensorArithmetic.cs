using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Tensor sums without TorchSharp's temporary <see cref="Scalar"/>. <c>a + b</c> calls <c>add(b, alpha: 1)</c>, converting 1 to a new <see cref="Scalar"/> that nothing references once its handle
/// is passed to libtorch: a garbage collection during the native call can finalise it while libtorch still reads it
/// (seen as random "alpha must not be a floating point number" / "Unknown scalar type" errors under allocation
/// pressure from other threads). This passes one process-wide <see cref="Scalar"/> that is never released; pass it,
/// or another held <see cref="Scalar"/>, wherever a TorchSharp call takes one. (<c>a - b</c> takes no Scalar.)
/// </summary>
internal static class TensorArithmetic
{
    /// <summary>The held 1.</summary>
    public static readonly Scalar One = 1.0.ToScalar();

    /// <summary><paramref name="a"/> + <paramref name="b"/>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);
}
