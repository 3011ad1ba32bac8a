using System.Numerics;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The Adam update (β = 0.9, 0.999, ε = 1e-8) shared by the row-sparse optimiser of the factorisation trainers and
/// CFGAN's dense optimiser, so both families step with the same constants and the same fused SIMD pass.
/// </summary>
internal static class AdamKernel
{
    internal const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;

    /// <summary>The bias-corrected step size of step <paramref name="step"/> (counted from 1).</summary>
    internal static double StepSize(double learningRate, long step) =>
        learningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step));

    /// <summary>One fused SIMD Adam pass over a slice of weights and its moments.</summary>
    internal static void Row(Span<float> w, Span<float> m, Span<float> v, ReadOnlySpan<float> g, float stepSize)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var b1 = new Vector<float>((float)Beta1); var c1 = new Vector<float>((float)(1 - Beta1));
            var b2 = new Vector<float>((float)Beta2); var c2 = new Vector<float>((float)(1 - Beta2));
            var eps = new Vector<float>((float)Epsilon); var step = new Vector<float>(stepSize);
            for (; k <= w.Length - Vector<float>.Count; k += Vector<float>.Count)
            {
                var gk = new Vector<float>(g[k..]);
                var mk = b1 * new Vector<float>(m[k..]) + c1 * gk;
                var vk = b2 * new Vector<float>(v[k..]) + c2 * gk * gk;
                mk.CopyTo(m[k..]);
                vk.CopyTo(v[k..]);
                (new Vector<float>(w[k..]) - step * mk / (Vector.SquareRoot(vk) + eps)).CopyTo(w[k..]);
            }
        }
        for (; k < w.Length; k++)
        {
            float mk = (float)Beta1 * m[k] + (float)(1 - Beta1) * g[k];
            float vk = (float)Beta2 * v[k] + (float)(1 - Beta2) * g[k] * g[k];
            m[k] = mk;
            v[k] = vk;
            w[k] -= stepSize * mk / (MathF.Sqrt(vk) + (float)Epsilon);
        }
    }
}
