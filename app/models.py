"""Every table of the service, imported in one place for Alembic and the tests."""
from app.customers.models import Address, Customer, CustomerPhone  # noqa: F401
from app.database import Base  # noqa: F401
from app.escalations.models import Escalation  # noqa: F401
from app.messaging.models import Message, Suppression  # noqa: F401
from app.network.models import Outlet, Technician  # noqa: F401
from app.staff.models import User  # noqa: F401
from app.tickets.models import Ticket, TicketEvent  # noqa: F401
from app.units.models import Unit, WarrantyRestartRecord  # noqa: F401
from app.messaging.models import EarlyStatus, SenderPace, SmsBlock, SuppressionLift  # noqa: F401
from app.sla_watch.models import PartsRequest, SweepMark  # noqa: F401
from app.surveys.models import Survey  # noqa: F401
from scheduler.models import JobRun, apscheduler_jobs  # noqa: F401
from app.ivr.models import IvrCall  # noqa: F401
from app.campaigns.models import Campaign, CampaignEvent, CampaignRecipient  # noqa: F401
from app.reports.models import DashboardSnapshot  # noqa: F401
