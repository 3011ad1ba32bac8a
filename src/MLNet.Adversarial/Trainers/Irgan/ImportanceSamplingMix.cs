namespace MLNet.Adversarial.Trainers;

/// <summary>
/// What IRGAN's generator mixes into its own distribution when it draws the items of a policy-gradient step
/// (importance sampling: each sample's reward is re-weighted by p_θ / proposal, so the gradient stays that of p_θ).
/// </summary>
public enum ImportanceSamplingMix
{
    /// <summary>λ of the proposal is spread uniformly over the user's training positives, as in the released IRGAN code.</summary>
    UserPositives,

    /// <summary>λ of the proposal is spread uniformly over the whole catalogue.</summary>
    Uniform,
}
