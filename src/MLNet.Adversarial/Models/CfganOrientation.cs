namespace MLNet.Adversarial.Models;

/// <summary>Which purchase vectors CFGAN's generator maps (Chae et al., CIKM 2018, section 4.3).</summary>
public enum CfganOrientation
{
    /// <summary>
    /// A user's purchase vector over the items (the paper's main description): G(c_u) scores every item for user u,
    /// and a user unseen at training time is served from their purchase vector.
    /// </summary>
    UserBased,

    /// <summary>
    /// An item's purchase vector over the users (the authors' setting for MovieLens): G(c_i) scores item i for every
    /// user. Users must be known at training time; a new user's history cannot be scored without retraining.
    /// </summary>
    ItemBased,
}
