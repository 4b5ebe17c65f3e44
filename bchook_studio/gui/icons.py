"""Small icons drawn with QPainter, so they look the same on every platform."""

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

_SIZE = 32


def _canvas() -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(_SIZE, _SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pixmap, painter


def eye_icon(crossed: bool = False) -> QIcon:
    """Return an eye, crossed out when `crossed` is true (for show/hide toggles)."""
    pixmap, painter = _canvas()
    pen = QPen(QColor("#444444"), 2.4)
    painter.setPen(pen)

    outline = QPainterPath()
    outline.moveTo(3, 16)
    outline.quadTo(16, 3, 29, 16)
    outline.quadTo(16, 29, 3, 16)
    painter.drawPath(outline)
    painter.setBrush(QColor("#444444"))
    painter.drawEllipse(QPointF(16, 16), 4.5, 4.5)
    if crossed:
        painter.drawLine(QPointF(6, 27), QPointF(26, 5))
    painter.end()
    return QIcon(pixmap)


def message_icon(warning: bool = False) -> QIcon:
    """Return the style's error icon, or its warning icon when `warning` is true.

    QStyle is imported here: PySide6 builds its enum types, hundreds of members
    in all, in about 5 ms, which a window with no problem to mark does not need.
    """
    from PySide6.QtWidgets import QApplication, QStyle

    if warning:
        pixmap = QStyle.StandardPixmap.SP_MessageBoxWarning
    else:
        pixmap = QStyle.StandardPixmap.SP_MessageBoxCritical
    return QApplication.style().standardIcon(pixmap)


def dot_icon(colour: str) -> QIcon:
    """Return a filled circle, for status markers in lists."""
    pixmap, painter = _canvas()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(QRectF(8, 8, 16, 16))
    painter.end()
    return QIcon(pixmap)
