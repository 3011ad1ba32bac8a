using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The BPR loss of a batch and APR's adversarial term (He et al., SIGIR 2018), over the vectors the score uses: the
/// embedding rows for the id-only model, or id + projected text for the hybrid one, so that APR's perturbation covers
/// the projected part and its gradient reaches the projection.
/// </summary>
internal static class BprObjective
{
    /// <summary>−mean ln σ(p_u·(q_i − q_j) + b_i − b_j).</summary>
    public static Tensor Loss(Tensor pu, Tensor qi, Tensor qj, Tensor? biasDiff)
    {
        var x = (pu * (qi - qj)).sum(1);
        if (biasDiff is not null) x = x.Plus(biasDiff);
        return -nn.functional.logsigmoid(x).mean();
    }

    /// <summary>
    /// The BPR loss under the worst-case perturbation Δ = ε·g/‖g‖₂ of each pair's vectors, g the gradient of
    /// <paramref name="clean"/> (the loss of the same vectors) with respect to them, treated as a constant (APR eq. 7).
    /// </summary>
    public static Tensor AdversarialLoss(Tensor clean, Tensor pu, Tensor qi, Tensor qj, Tensor? biasDiff, Scalar epsilon)
    {
        var grads = autograd.grad([clean], [pu, qi, qj], retain_graph: true);
        var du = nn.functional.normalize(grads[0], p: 2, dim: 1).mul_(epsilon).detach();
        var di = nn.functional.normalize(grads[1], p: 2, dim: 1).mul_(epsilon).detach();
        var dj = nn.functional.normalize(grads[2], p: 2, dim: 1).mul_(epsilon).detach();
        return Loss(pu.Plus(du), qi.Plus(di), qj.Plus(dj), biasDiff);
    }
}
