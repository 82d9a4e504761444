using System;

namespace CnnGen.Reference
{
    /// <summary>
    /// A conv or pool window for the reference kernels, per axis (x across, y down): size, stride, padding on each side,
    /// dilation. <see cref="Square"/> is the classic F, S, P window.
    /// </summary>
    /// <param name="SizeX">Fx, the window width.</param>
    /// <param name="SizeY">Fy, the window height.</param>
    /// <param name="StrideX">The step across.</param>
    /// <param name="StrideY">The step down.</param>
    /// <param name="PadLeft">Cells added on the left.</param>
    /// <param name="PadRight">Cells added on the right.</param>
    /// <param name="PadTop">Cells added at the top.</param>
    /// <param name="PadBottom">Cells added at the bottom.</param>
    /// <param name="DilationX">The spacing of the taps across (1: adjacent).</param>
    /// <param name="DilationY">The spacing of the taps down.</param>
    public readonly record struct Window2d(int SizeX, int SizeY, int StrideX, int StrideY, int PadLeft, int PadRight, int PadTop, int PadBottom, int DilationX = 1, int DilationY = 1)
    {
        /// <summary>An F × F window, stride S, P cells on every side.</summary>
        public static Window2d Square(int size, int stride, int padding) => new(size, size, stride, stride, padding, padding, padding, padding);

        internal void Validate()
        {
            if (SizeX < 1 || SizeY < 1 || StrideX < 1 || StrideY < 1 || DilationX < 1 || DilationY < 1 || PadLeft < 0 || PadRight < 0 || PadTop < 0 || PadBottom < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(SizeX), "Sizes, strides and dilations must be at least 1 and paddings at least 0.");
            }
        }
    }
}
